// Real Vitest and Jest runs of a declared compose service with `pristine: 'per-test'` and
// `standby: true` (projects/compose-standby): every test reaches a new compose project
// (its own container), whose first answer is its own hostname and whose container logged
// no request before the test's (the standby was proven ready without one), and after the
// run no container, network or project of it is left.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { requireComponent } from '@rebind/test-support';
import { describe, expect, it } from 'vitest';
import type { RunOptions, Runner } from './harness.js';
import { expectNothingLeft, runnersCleanedAfterEach } from './runs.js';

const start = runnersCleanedAfterEach();
const project = fileURLToPath(new URL('../projects/compose-standby', import.meta.url));

const docker = (...args: string[]) =>
  execFileSync('docker', args, { encoding: 'utf8' }).split('\n').filter(Boolean);
/** The networks of the compose projects named `<base>-<n>` (one base per worker slot). */
const networksOf = (base: string) =>
  docker('network', 'ls', '--format', '{{.Name}}').filter((n) => n.startsWith(`${base}-`));

describe.runIf(requireComponent('docker', 'docker-compose'))(
  'a per-test compose service with a standby',
  () => {
    it.each([
      ['vitest4', {}],
      ['jest30', { config: 'jest.config.cjs' }],
    ] as [Runner, RunOptions][])(
      '%s',
      async (runner, options) => {
        // REBIND_SERVICES_REAL=docker: cleanup() also removes containers of the run by label
        const run = start(runner, { ...options, project, env: { REBIND_SERVICES_REAL: 'docker' } });
        const bases = new Set<string>();
        try {
          expect((await run.exited).code, run.output()).toBe(0);
          const seen = run.records();
          expect(seen.map((s) => s.test).sort()).toEqual(['a 1', 'a 2', 'b 1', 'b 2']);
          const projects = new Set<string>();
          for (const s of seen) {
            const box = s.services.box;
            // Its first answer is its own: the hostname of the container with its token.
            expect(box?.container, s.test).toMatch(/^[0-9a-f]{64}$/);
            expect(box?.token, s.test).toBe(box?.container?.slice(0, 12));
            // The test's request was the first its container received.
            expect(box?.hits, s.test).toBe(1);
            // With a standby each instance is its own project, `<base>-<n>`.
            expect(box?.project, s.test).toMatch(/^rebind-.*-c\d+-\d+$/);
            projects.add(box?.project ?? '');
            bases.add((box?.project ?? '').replace(/-\d+$/, ''));
          }
          // A new compose project for every test.
          expect(projects.size).toBe(4);
          expect(run.output()).toMatch(/rebind: 4 tests, .*leftovers: 0/);
          await expectNothingLeft(run, true);
          // No project of a slot is left (the last standby's included): its containers
          // carry the run's label, checked above; its network is `<project>_default`.
          for (const base of bases) expect(networksOf(base), base).toEqual([]);
        } finally {
          for (const base of bases)
            for (const name of networksOf(base))
              execFileSync('docker', ['network', 'rm', name], { stdio: 'ignore' });
        }
      },
      300_000,
    );
  },
);
