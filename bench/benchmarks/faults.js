// Faults, with real Vitest runs of integration/faults' project (per-test nginx):
// - time to recovery: from the fault to the next test's first answer from a pristine
//   instance (a test that times out holding a half-sent request, 1 s testTimeout; an nginx
//   worker SIGKILLed by its test);
// - the Docker engine (a private dockerd of the benchmark's own) stopped mid-run: to the
//   first test failing with REBIND_DOCKER_UNAVAILABLE, and to the first pristine answer
//   after it is started again; the engine down at start: to the container test's error;
// - TMPDIR on a full tmpfs (as root): to startNginx's REBIND_WRITE_FAILED;
// - a low fd limit (prlimit --nofile=256, 4 workers): the run's outcome and time;
// - a soak: 10,000 per-test restarts across 4 workers (REBIND_BENCH_SOAK=N for another
//   count; smoke: 20), with restarts per second, the runner's main-process memory and fds
//   over time (start, peak, end), and its CPU time.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execFileSync } from 'node:child_process';
import { mkdtempSync as mkdtemp, rmdirSync, writeFileSync } from 'node:fs';
import { startNginx } from '@rebind/nginx';
import { componentStatus, startPrivateEngine } from '@rebind/test-support';
import { printTable } from '../lib/stats.js';

const vitest = fileURLToPath(new URL('../../node_modules/vitest/vitest.mjs', import.meta.url));
const project = fileURLToPath(
  new URL('../../integration/faults/projects/vitest/', import.meta.url),
);

/** One Vitest run of the faults project; samples the main process every `every` ms. */
function run(fault, { workers = 2, env = {}, every = 1000, wrap = [], during } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'rebind-bench-faults-'));
  const record = join(dir, 'record.jsonl');
  const t0 = Date.now();
  const [file, ...args] = [
    ...wrap,
    process.execPath,
    vitest,
    'run',
    `--maxWorkers=${workers}`,
    '--reporter=dot',
  ];
  const child = spawn(file, args, {
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
  });
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
  const acted = during?.(records, child) ?? Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', async (code) => {
      clearInterval(timer);
      await acted;
      const result = {
        t0,
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

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const until = async (check) => {
  for (let i = 0; i < 1200 && !check(); i++) await sleep(50);
};

/** The engine stopped mid-run: ms to the first REBIND_DOCKER_UNAVAILABLE, and to the first pristine answer after it is back. */
async function engineRestart() {
  const engine = await startPrivateEngine({ images: ['rebind/nginx:test'] });
  try {
    let fault = 0;
    let failedAt = 0;
    let back = 0;
    const r = await run('engine-restart', {
      workers: 1,
      env: { DOCKER_HOST: engine.dockerHost, REBIND_ENGINE_TESTS: '10' },
      during: async (records) => {
        await until(() => records().length >= 3);
        fault = Date.now();
        await engine.stop();
        await until(() => records().some((o) => o.error !== undefined));
        failedAt = records().find((o) => o.error !== undefined)?.at ?? Date.now();
        await engine.start();
        back = Date.now();
      },
    });
    const recovered = r.records.find((o) => o.error === undefined && o.at > back);
    if (recovered === undefined)
      throw new Error(`no recovery after the engine restart:\n${r.output}`);
    return {
      error: failedAt - fault,
      recovery: recovered.at - fault,
      failed: r.records.filter((o) => o.error).length,
    };
  } finally {
    await engine.remove();
  }
}

/** The engine down at start: ms from the run's start to the container test's error. */
async function engineDown() {
  const r = await run('engine-down', {
    env: { DOCKER_HOST: `unix://${join(tmpdir(), `rebind-no-engine-${process.pid}.sock`)}` },
  });
  const failed = r.records.find((o) => o.error?.code === 'REBIND_DOCKER_UNAVAILABLE');
  if (failed === undefined)
    throw new Error(`the engine-down run gave no clear error:\n${r.output}`);
  return failed.at - r.t0;
}

/** TMPDIR on a full 64 KiB tmpfs (root only): ms to startNginx's REBIND_WRITE_FAILED. */
async function fullTmpdir() {
  const mount = mkdtemp(join(tmpdir(), 'rebind-bench-full-'));
  const before = process.env.TMPDIR;
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k,mode=1777', 'tmpfs', mount]);
  try {
    try {
      writeFileSync(join(mount, 'filler'), Buffer.alloc(128 * 1024));
    } catch {
      // full: as intended
    }
    process.env.TMPDIR = mount;
    const t0 = performance.now();
    const error = await startNginx({ snippet: 'return 200;' }).then(
      async (web) => {
        await web.stop();
        return undefined;
      },
      (e) => e,
    );
    if (error?.code !== 'REBIND_WRITE_FAILED')
      throw new Error(`no clear error on a full TMPDIR: ${error}`);
    return performance.now() - t0;
  } finally {
    if (before === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = before;
    execFileSync('umount', [mount]);
    rmdirSync(mount);
  }
}

async function faultMatrix(print, smoke) {
  const rows = [];
  const docker = componentStatus('docker') === undefined;
  if (docker) {
    const restarts = [];
    const errors = [];
    let failed = 0;
    for (let i = 0; i < (smoke ? 1 : 3); i++) {
      const r = await engineRestart();
      errors.push(r.error);
      restarts.push(r.recovery);
      failed += r.failed;
    }
    rows.push({
      name: 'engine stopped mid-run -> REBIND_DOCKER_UNAVAILABLE in a test',
      samples: errors,
    });
    rows.push({
      name: `engine stopped, started again -> pristine answer (${failed} tests failed in all)`,
      samples: restarts,
    });
    rows.push({
      name: 'engine down at start: run start -> container test error',
      samples: [await engineDown()],
    });
  } else print('engine faults skipped: no Docker engine');
  if (process.getuid?.() === 0) {
    const full = [];
    for (let i = 0; i < (smoke ? 1 : 5); i++) full.push(await fullTmpdir());
    rows.push({ name: 'TMPDIR full -> REBIND_WRITE_FAILED', samples: full });
  }
  const limited = await run('soak', {
    workers: 4,
    wrap: ['prlimit', '--nofile=256:256'],
    env: { REBIND_SOAK_TESTS: smoke ? '2' : '25' },
  });
  const emfile = /EMFILE|too many open files/i.test(limited.output);
  print(
    `fd limit 256, 4 workers: exit ${limited.code}, ${limited.records.length} tests in ${limited.seconds.toFixed(1)} s, EMFILE ${emfile ? 'seen' : 'never'}`,
  );
  if (limited.code !== 0 || emfile)
    throw new Error(`the fd-limit run failed:\n${limited.output.slice(-4000)}`);
  return rows;
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
  rows.push(...(await faultMatrix(print, smoke)));
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
  const fds = soak.samples.map((s) => s.fds);
  if (fds.length > 0) print(`  fds start/peak/end: ${fds[0]}/${Math.max(...fds)}/${fds.at(-1)}`);
  if (soak.code !== 0) throw new Error(`the soak failed:\n${soak.output.slice(-4000)}`);
  return rows;
}
