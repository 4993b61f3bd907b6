// Runs a real Vitest or Jest process on one of the user projects and reads what its tests
// saw. Leftovers are found by a per-run tag in the environment every descendant inherits.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { listProcesses, nginxMastersUnder } from '@rebind/test-support';

const repo = fileURLToPath(new URL('../../../', import.meta.url));
const projects = fileURLToPath(new URL('../projects/', import.meta.url));

export type Runner = 'vitest3' | 'vitest4' | 'vitest5' | 'jest29' | 'jest30';

export interface RunOptions {
  readonly pool?: 'forks' | 'threads';
  /** Jest config file name in projects/jest. */
  readonly config?:
    'jest.config.cjs' | 'jest.config.mjs' | 'jest.esm.config.mjs' | 'jest.projects.config.cjs';
  /** Vitest watch mode, under a pseudo-terminal (so `q` quits). */
  readonly watch?: boolean;
  readonly env?: Record<string, string>;
  /** Another user project (an absolute path) instead of projects/vitest or projects/jest. */
  readonly project?: string;
  /** Worker processes. @default 2 */
  readonly workers?: number;
  /** A command the runner is started under, e.g. `['prlimit', '--nofile=256']`. */
  readonly wrap?: readonly string[];
  /** Also write the runner's JSON report (Vitest's `json` reporter, Jest's `--json`): see `results()`. */
  readonly json?: boolean;
}

/** One test's outcome in the runner's own JSON report (the same shape in Vitest and Jest). */
export interface TestResult {
  readonly title: string;
  readonly status: string;
  readonly failureMessages: readonly string[];
}

export interface Seen {
  readonly test: string;
  readonly slot: number;
  readonly services: Record<
    string,
    {
      port: number;
      token: string;
      pid: number;
      hits?: number;
      endpointPid?: number;
      /** What the instance's accessLog() held (nginx from a per-test helper). */
      requests?: string[];
      /** A compose instance's container id and project (projects/compose-standby). */
      container?: string;
      project?: string;
    }
  >;
}

function command(
  runner: Runner,
  options: RunOptions,
  report: string,
): { file: string; args: string[]; cwd: string } {
  const vitest = (dir: string) => join(repo, dir, 'node_modules/vitest/vitest.mjs');
  const vitestArgs = [
    options.watch ? 'watch' : 'run',
    `--maxWorkers=${options.workers ?? 2}`,
    `--pool=${options.pool ?? 'forks'}`,
    ...(options.json
      ? ['--reporter=default', '--reporter=json', `--outputFile.json=${report}`]
      : []),
  ];
  const jestArgs = [
    '--config',
    options.config ?? 'jest.config.cjs',
    `--maxWorkers=${options.workers ?? 2}`,
    '--no-cache',
    '--ci',
    ...(options.json ? ['--json', `--outputFile=${report}`] : []),
  ];
  const cwd = options.project ?? join(projects, runner.startsWith('jest') ? 'jest' : 'vitest');
  // ESM test files need Jest's VM modules.
  const esm =
    options.config === 'jest.esm.config.mjs' ? ['--experimental-vm-modules', '--no-warnings'] : [];
  switch (runner) {
    case 'vitest3':
      return { file: process.execPath, args: [vitest('integration/vitest3'), ...vitestArgs], cwd };
    case 'vitest4':
      return { file: process.execPath, args: [vitest(''), ...vitestArgs], cwd };
    case 'vitest5':
      return {
        file: join(repo, 'integration/vitest5/node_modules/node/bin/node'),
        args: [vitest('integration/vitest5'), ...vitestArgs],
        cwd,
      };
    case 'jest29':
      return {
        file: process.execPath,
        args: [...esm, join(repo, 'integration/jest29/node_modules/jest/bin/jest.js'), ...jestArgs],
        cwd,
      };
    case 'jest30':
      return {
        file: process.execPath,
        args: [...esm, join(repo, 'node_modules/jest/bin/jest.js'), ...jestArgs],
        cwd,
      };
  }
}

export interface RunningRunner {
  readonly child: ChildProcess;
  readonly tag: string;
  /** The run's TMPDIR (nginx prefixes are made in it). */
  readonly dir: string;
  output(): string;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  records(): Seen[];
  /** Every test's outcome from the runner's JSON report (`json: true`), in file order. */
  results(): TestResult[];
  /** Resolves once `count` tests have recorded what they saw. */
  recorded(count: number): Promise<Seen[]>;
  /** Resolves once the output matched `pattern` `count` times (e.g. watch mode's prompt). */
  printed(pattern: RegExp, count?: number): Promise<void>;
  /** Removes the temp dir and ends any runner worker still alive. */
  cleanup(): void;
}

export function startRunner(runner: Runner, options: RunOptions = {}): RunningRunner {
  const dir = mkdtempSync(join(tmpdir(), 'rebind-runners-'));
  const record = join(dir, 'record.jsonl');
  const tag = randomUUID();
  const report = join(dir, 'report.json');
  const direct = command(runner, options, report);
  const [file, ...args] = [...(options.wrap ?? []), direct.file, ...direct.args] as [
    string,
    ...string[],
  ];
  const cwd = direct.cwd;
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ...options.env,
    REBIND_RECORD: record,
    REBIND_TEST_RUN: tag,
    // The runner's own temp files (Vitest's module cache, Jest's cache) go into this run's
    // dir, removed by cleanup() even when the test killed the runner before it tidied up.
    TMPDIR: dir,
    CI: '1',
    FORCE_COLOR: '0',
    NO_COLOR: '1',
  };
  delete env.VITEST;
  delete env.VITEST_POOL_ID;
  delete env.VITEST_WORKER_ID;
  delete env.NODE_OPTIONS;
  const child = options.watch
    ? spawn('script', ['-qfec', [file, ...args].map((a) => `'${a}'`).join(' '), '/dev/null'], {
        cwd,
        env: { ...env, CI: '' },
        stdio: ['pipe', 'pipe', 'pipe'],
      })
    : spawn(file, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const records = (): Seen[] => {
    try {
      return readFileSync(record, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as Seen);
    } catch {
      return [];
    }
  };
  return {
    child,
    tag,
    dir,
    output: () => output,
    exited,
    records,
    results() {
      const json = JSON.parse(readFileSync(report, 'utf8')) as {
        testResults: { name: string; assertionResults: TestResult[] }[];
      };
      return json.testResults
        .sort((a, b) => a.name.localeCompare(b.name))
        .flatMap((file) => file.assertionResults)
        .map(({ title, status, failureMessages }) => ({ title, status, failureMessages }));
    },
    async recorded(count) {
      let done = false;
      void exited.then(() => (done = true));
      for (;;) {
        const seen = records();
        if (seen.length >= count) return seen;
        if (done)
          throw new Error(`the runner exited after ${seen.length} of ${count} tests:\n${output}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    async printed(pattern, count = 1) {
      const global = new RegExp(pattern.source, 'g');
      let done = false;
      void exited.then(() => (done = true));
      while ((output.match(global)?.length ?? 0) < count) {
        if (done) throw new Error(`the runner exited before printing ${pattern}:\n${output}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    cleanup() {
      const rows = listProcesses();
      const groups = new Map(rows.map((row) => [row.pid, row.pgid]));
      // nginx masters of this run that no test recorded (nginx overwrites its environ, so
      // the tag misses them) live under this run's TMPDIR: without this, a run whose
      // runner and watchdog were both killed here (a test that timed out before its
      // record) left its nginx orphaned under /tmp/rebind-runners-*/.
      const masters = nginxMastersUnder(`${dir}/`, rows).map((r) => ({ pid: r.pid, args: r.args }));
      for (const p of [...tagged(tag), ...rebindLeftovers(tag, records()), ...masters]) {
        try {
          // a server leads its own group (nginx: master and workers): end the whole group
          process.kill(groups.get(p.pid) === p.pid ? -p.pid : p.pid, 'SIGKILL');
        } catch {
          // gone
        }
        // an nginx whose watchdog was killed too (the crash test) leaves its prefix dir
        const prefix = /^nginx: master process .* -p (\S+)/.exec(p.args)?.[1];
        if (prefix?.startsWith(tmpdir())) rmSync(prefix, { recursive: true, force: true });
      }
      rmSync(dir, { recursive: true, force: true });
      if (options.env?.REBIND_SERVICES_REAL?.includes('docker'))
        for (const id of containersOf(tag))
          execFileSync('docker', ['rm', '-f', id], { stdio: 'ignore' });
    },
  };
}

/** Processes carrying this run's tag in their environment. */
export function tagged(tag: string): { pid: number; args: string }[] {
  const found: { pid: number; args: string }[] = [];
  for (const row of listProcesses()) {
    if (row.pid === process.pid) continue;
    try {
      if (readFileSync(`/proc/${row.pid}/environ`, 'utf8').includes(`REBIND_TEST_RUN=${tag}`))
        found.push({ pid: row.pid, args: row.args });
    } catch {
      // gone, or not ours to read
    }
  }
  return found;
}

const rebindProcess = /http-server\.js|watchdog-main|spawner-main|nginx/;

/**
 * rebind's own processes of this run: servers, nginx, the watchdog, the spawner. Found by the run's
 * tag in their environment, and by the main pids the tests recorded (nginx overwrites its
 * environ with its process title).
 */
export function rebindLeftovers(tag: string, seen: Seen[] = []): { pid: number; args: string }[] {
  const found = tagged(tag).filter((p) => rebindProcess.test(p.args));
  const pids = new Set(found.map((p) => p.pid));
  const rows = new Map(listProcesses().map((row) => [row.pid, row]));
  const groups = new Set<number>();
  for (const s of seen)
    for (const service of Object.values(s.services)) {
      const row = service.endpointPid === undefined ? undefined : rows.get(service.endpointPid);
      if (service.endpointPid !== undefined) groups.add(service.endpointPid);
      if (row !== undefined && !pids.has(row.pid) && rebindProcess.test(row.args)) {
        pids.add(row.pid);
        found.push({ pid: row.pid, args: row.args });
      }
    }
  // The rest of a recorded server's process group (nginx workers): orphaned, they outlive
  // a master killed alone, and nginx overwrites their environment, so no tag finds them.
  for (const row of rows.values())
    if (groups.has(row.pgid) && !pids.has(row.pid) && rebindProcess.test(row.args)) {
      pids.add(row.pid);
      found.push({ pid: row.pid, args: row.args });
    }
  return found;
}

/** nginx masters whose prefix is under `dir`. */
export function nginxUnder(dir: string): { pid: number; args: string }[] {
  return listProcesses()
    .filter((row) => row.args.startsWith('nginx: master') && row.args.includes(` -p ${dir}/`))
    .map((row) => ({ pid: row.pid, args: row.args }));
}

/** Containers labelled with this run's tag (`docker ps -a`), when Docker is used. */
export function containersOf(tag: string): string[] {
  const out = execFileSync('docker', ['ps', '-aq', '--filter', `label=rebind.test-run=${tag}`], {
    encoding: 'utf8',
  });
  return out.split('\n').filter(Boolean);
}

/** Polls up to `within` ms for rebind's processes of this run to be gone; returns what is left. */
export async function leftoversAfter(
  run: RunningRunner,
  within = 2000,
): Promise<{ pid: number; args: string }[]> {
  const deadline = Date.now() + within;
  for (;;) {
    const left = rebindLeftovers(run.tag, run.records());
    // nginx masters no test recorded (a standby) overwrite their environ: found by their
    // prefix, made in the run's TMPDIR.
    for (const p of nginxUnder(run.dir)) if (!left.some((l) => l.pid === p.pid)) left.push(p);
    if (left.length === 0 || Date.now() > deadline) return left;
    await new Promise((r) => setTimeout(r, 50));
  }
}
