// The suites pass from a clone that other users cannot reach: CI and the README's Quick
// start run as root, whose home is 0700, and some tests run processes as another user
// (nobody runs the set-up scripts and the watcher's sockets; nginx's workers run as
// nobody). This clones the commit under test into a 0700 directory, installs and builds
// it there as .ci/run does, and runs the suites that start processes as another user.
import { execFile } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../../', import.meta.url));

/** The suites (and files) whose tests run a process as another user. */
const suites: readonly (readonly [string, ...string[]])[] = [
  ['integration/smoke', 'test/scripts.test.ts'],
  ['integration/watcher'],
  ['packages/nginx'],
];

function run(file: string, args: readonly string[], cwd: string): Promise<string> {
  const env: NodeJS.ProcessEnv = { CI: '1', NO_COLOR: '1', TURBO_TELEMETRY_DISABLED: '1' };
  for (const [key, value] of Object.entries(process.env))
    if (!/^(npm_|VITEST|NODE_OPTIONS$|INIT_CWD$|TURBO_|CI$|FORCE_COLOR$)/i.test(key))
      env[key] = value;
  return new Promise((resolve, reject) => {
    let output = '';
    const child = execFile(file, args, { cwd, env, maxBuffer: 64 * 1024 * 1024 }, (error) =>
      error
        ? reject(new Error(`${file} ${args.join(' ')} failed in ${cwd}:\n${output}`))
        : resolve(output),
    );
    child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  });
}

describe.runIf(process.getuid?.() === 0 && existsSync(join(root, '.git')))(
  'a clone under a 0700 directory, as root',
  () => {
    it(
      'installs, builds and passes the suites that run processes as another user',
      { timeout: 1_200_000 },
      async () => {
        const home = mkdtempSync(join(tmpdir(), 'rebind-private-'));
        chmodSync(home, 0o700);
        const clone = join(home, 'rebind');
        try {
          // the commit under test (in CI the clone is clean, so it is the tree under test)
          const commit = (await run('git', ['rev-parse', 'HEAD'], root)).trim();
          await run('git', ['clone', '--quiet', '--no-checkout', root, clone], home);
          await run('git', ['checkout', '--quiet', commit], clone);
          await run('npm', ['ci', '--prefer-offline', '--no-audit', '--no-fund'], clone);
          const filters = suites.map(([dir]) => `--filter=./${dir}...`);
          await run(
            'npx',
            ['turbo', 'run', 'build', ...filters, '--output-logs=errors-only'],
            clone,
          );
          for (const [dir, ...files] of suites)
            await run(
              process.execPath,
              [join(clone, 'node_modules/vitest/vitest.mjs'), 'run', ...files],
              join(clone, dir),
            );
          // each suite's JSON report (vitest.shared.js writes one per workspace)
          const reports = readdirSync(join(clone, '.reports')).map(
            (f) =>
              JSON.parse(readFileSync(join(clone, '.reports', f), 'utf8')) as {
                numPassedTests: number;
                numFailedTests: number;
              },
          );
          expect(reports).toHaveLength(suites.length);
          for (const report of reports) {
            expect(report.numFailedTests).toBe(0);
            expect(report.numPassedTests).toBeGreaterThan(0);
          }
        } finally {
          rmSync(home, { recursive: true, force: true });
        }
      },
    );
  },
);
