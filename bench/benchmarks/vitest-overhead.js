// Per-test restart overhead inside a real Vitest run with nginx: the same N-test suite
// (projects/vitest-overhead) run three ways in one go (rebind per-test restarts,
// `nginx -s stop; nginx` + wait-on, no restart), beside the raw nginx cycle floor.
// Per-test cost = interval between consecutive test starts; overhead = that minus the
// no-restart run's median interval. Goal: rebind's median overhead <= 2x the floor.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { componentStatus } from '@rebind/test-support';
import { findNginx } from '@rebind/nginx';
import { loopbackPort, rawNginxConfig, rawNginxCycle } from '../lib/raw-nginx.js';
import { childrenCpuMs, watchPeakMemory } from '../lib/run-usage.js';
import { median, printTable, sample } from '../lib/stats.js';
import { standbyRows } from '../lib/standby-rows.js';

const project = fileURLToPath(new URL('../projects/vitest-overhead/', import.meta.url));
const vitest = fileURLToPath(new URL('../../node_modules/vitest/vitest.mjs', import.meta.url));

/**
 * Runs the suite; resolves the intervals between test starts, with `stale` (answers from
 * the previous test's instance), `cpuMs` and `peakMb` (the run's CPU time and peak memory).
 */
export function runSuite(mode, tests, extraEnv = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'rebind-bench-vitest-'));
  const record = join(dir, 'starts.txt');
  const cpu0 = childrenCpuMs();
  return new Promise((resolve, reject) => {
    const env = {
      ...process.env,
      ...extraEnv,
      REBIND_BENCH_MODE: mode,
      REBIND_BENCH_TESTS: String(tests),
      REBIND_BENCH_RECORD: record,
    };
    for (const k of ['VITEST', 'VITEST_POOL_ID', 'VITEST_WORKER_ID', 'NODE_OPTIONS']) delete env[k];
    const child = spawn(process.execPath, [vitest, 'run', '--reporter=dot'], {
      cwd: project,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const peak = watchPeakMemory(child.pid);
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    child.on('exit', (code) => {
      const peakMb = peak();
      try {
        if (code !== 0) throw new Error(`vitest (${mode}) exited ${code}:\n${output}`);
        const rows = readFileSync(record, 'utf8')
          .split('\n')
          .filter(Boolean)
          .map((line) => line.split(' '));
        const starts = rows.map(([t]) => Number(t));
        const intervals = starts.slice(1).map((t, i) => t - starts[i]);
        // the same nginx worker answered two consecutive tests: no fresh instance
        intervals.stale = rows.slice(1).filter(([, pid], i) => pid === rows[i][1]).length;
        // the Node server's request count when the test's request arrived (1: pristine)
        intervals.hits = rows.map((r) => Number(r[2] ?? 1));
        intervals.cpuMs = childrenCpuMs() - cpu0;
        intervals.peakMb = peakMb;
        resolve(intervals);
      } catch (error) {
        reject(error);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });
}

export default async function vitestOverhead({ smoke, print }) {
  const problem = componentStatus('nginx');
  if (problem !== undefined) {
    print(`vitest-overhead skipped: ${problem}`);
    return printTable('Per-test restart overhead in a real Vitest run', [], { print });
  }
  const tests = smoke ? 4 : 200;
  const none = await runSuite('none', tests);
  const rebind = await runSuite('rebind', tests);
  const shell = await runSuite('shell', tests);
  const base = median(none);
  const nginx = await findNginx();
  const port = await loopbackPort();
  const config = rawNginxConfig(port);
  let floor;
  try {
    floor = await sample(smoke ? 3 : 200, () => rawNginxCycle(nginx.path, config, port), {
      warmup: smoke ? 1 : 10,
    });
  } finally {
    config.cleanup();
  }
  print(`${tests} tests per run; per-test interval = time between consecutive test starts`);
  print(
    `answers from the previous test's nginx worker (stale): rebind ${rebind.stale}, ` +
      `nginx -s stop; nginx + wait-on ${shell.stale}, no restart ${none.stale} (of ${tests - 1})`,
  );
  printTable(
    'Per-test interval in a real Vitest run (ms)',
    [
      { name: 'no restart', samples: none },
      { name: 'rebind per-test', samples: rebind },
      { name: 'nginx -s stop; nginx + wait-on', samples: shell },
    ],
    { baseline: 'no restart', print },
  );
  const rows = printTable(
    'Per-test restart overhead (interval - no-restart median) vs the raw nginx cycle',
    [
      { name: 'raw nginx cycle (floor)', samples: floor },
      { name: 'rebind per-test', samples: rebind.map((v) => v - base) },
      { name: 'nginx -s stop; nginx + wait-on', samples: shell.map((v) => v - base) },
    ],
    { baseline: 'raw nginx cycle (floor)', print },
  );
  const ratio = rows.find((r) => r.name === 'rebind per-test')?.ratio;
  print(
    `goal: rebind overhead <= 2x the floor: ${ratio !== undefined && ratio <= 2 ? 'met' : 'NOT met'} (${ratio?.toFixed(2)}x)`,
  );
  return [...rows, ...(await standbyRows({ smoke, print, runSuite }))];
}
