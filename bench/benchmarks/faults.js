// Faults, with real Vitest runs of integration/faults' project (per-test nginx):
// - time to recovery: from the fault to the next test's first answer from a pristine
//   instance (a test that times out holding a half-sent request, 1 s testTimeout; an nginx
//   worker SIGKILLed by its test);
// - a soak: 10,000 per-test restarts across 4 workers (REBIND_BENCH_SOAK=N for another
//   count; smoke: 20), with restarts per second, the runner's main-process memory and fds
//   over time, and its CPU time.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { componentStatus } from '@rebind/test-support';
import { printTable } from '../lib/stats.js';

const vitest = fileURLToPath(new URL('../../node_modules/vitest/vitest.mjs', import.meta.url));
const project = fileURLToPath(
  new URL('../../integration/faults/projects/vitest/', import.meta.url),
);

/** One Vitest run of the faults project; samples the main process every `every` ms. */
function run(fault, { workers = 2, env = {}, every = 1000 } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'rebind-bench-faults-'));
  const record = join(dir, 'record.jsonl');
  const t0 = Date.now();
  const child = spawn(
    process.execPath,
    [vitest, 'run', `--maxWorkers=${workers}`, '--reporter=dot'],
    {
      cwd: project,
      env: {
        ...process.env,
        ...env,
        REBIND_FAULT: fault,
        REBIND_RECORD: record,
        TMPDIR: dir,
        CI: '1',
        FORCE_COLOR: '0',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  const records = () => {
    try {
      return readFileSync(record, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l));
    } catch {
      return [];
    }
  };
  const samples = [];
  const timer = setInterval(() => {
    try {
      const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
      const stat = readFileSync(`/proc/${child.pid}/stat`, 'utf8').split(') ')[1].split(' ');
      samples.push({
        s: (Date.now() - t0) / 1000,
        tests: records().length,
        rssMb: Number(/VmRSS:\s+(\d+)/.exec(status)[1]) / 1024,
        fds: readdirSync(`/proc/${child.pid}/fd`).length,
        cpuS: (Number(stat[11]) + Number(stat[12])) / 100,
      });
    } catch {
      // exited
    }
  }, every);
  return new Promise((resolve) => {
    child.once('exit', (code) => {
      clearInterval(timer);
      const result = {
        code,
        output,
        records: records(),
        samples,
        seconds: (Date.now() - t0) / 1000,
      };
      rmSync(dir, { recursive: true, force: true });
      resolve(result);
    });
  });
}

export default async function faults({ smoke, print }) {
  const problem = componentStatus('nginx');
  if (problem !== undefined) {
    print(`faults skipped: ${problem}`);
    return printTable('faults (skipped)', [], { print });
  }
  const repeats = smoke ? 1 : 5;
  const rows = [];
  // Recovery after a hang: the hung test starts at its record, times out 1,000 ms later;
  // recovery is the next test body beginning (its beforeEach restart done).
  const hang = [];
  const kill = [];
  for (let i = 0; i < repeats; i++) {
    const h = await run('hang');
    const [hung, next] = h.records;
    if (h.code !== 1 || next === undefined)
      throw new Error(`the hang run did not recover:\n${h.output}`);
    hang.push(next.at - (hung.at + 1000));
    const k = await run('worker-kill');
    const [killed, after] = k.records;
    if (k.code !== 0 || after === undefined)
      throw new Error(`the worker-kill run failed:\n${k.output}`);
    kill.push(after.at - killed.at);
  }
  rows.push({ name: 'test timed out mid-request -> next test answered', samples: hang });
  rows.push({ name: 'nginx worker SIGKILLed -> next test answered', samples: kill });
  printTable('faults: time from the fault to the recovery (one Vitest run each)', rows, { print });

  const total = Number(process.env.REBIND_BENCH_SOAK ?? (smoke ? 20 : 10_000));
  const soak = await run('soak', {
    workers: 4,
    env: { REBIND_SOAK_TESTS: String(Math.ceil(total / 4)) },
    every: smoke ? 200 : 2000,
  });
  const done = soak.records.length;
  const failed = /(\d+) failed/.exec(soak.output)?.[1] ?? '0';
  print(
    `\nsoak: ${done} per-test restarts across 4 workers in ${soak.seconds.toFixed(1)} s, ${(done / soak.seconds).toFixed(1)} restarts/s, ${failed} failed, exit ${soak.code}`,
  );
  print('  s      tests   rss MB   fds   cpu s (runner main process)');
  const step = Math.max(1, Math.floor(soak.samples.length / 12));
  for (const [i, s] of soak.samples.entries())
    if (i % step === 0 || i === soak.samples.length - 1)
      print(
        `  ${s.s.toFixed(0).padStart(5)}  ${String(s.tests).padStart(6)}  ${s.rssMb.toFixed(0).padStart(7)}  ${String(s.fds).padStart(4)}  ${s.cpuS.toFixed(1).padStart(6)}`,
      );
  const rss = soak.samples.map((s) => s.rssMb);
  if (rss.length > 0)
    print(
      `  rss start/peak/end: ${rss[0].toFixed(0)}/${Math.max(...rss).toFixed(0)}/${rss.at(-1).toFixed(0)} MB`,
    );
  if (soak.code !== 0) throw new Error(`the soak failed:\n${soak.output.slice(-4000)}`);
  return rows;
}
