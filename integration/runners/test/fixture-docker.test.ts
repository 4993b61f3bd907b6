// `service({ container })` and `service({ compose })` through the Vitest fixtures and
// Jest's `service()` helper, on the real Docker engine: each test gets its own pristine
// container (its own command, a new hostname), the previous test's is gone, and no
// container of the run is left after it.
import { fileURLToPath } from 'node:url';
import { requireComponent } from '@rebind/test-support';
import { describe, expect, it } from 'vitest';
import type { RunOptions, Runner } from './harness.js';
import { expectNothingLeft, runnersCleanedAfterEach } from './runs.js';

const start = runnersCleanedAfterEach();
const project = fileURLToPath(new URL('../projects/fixtures-docker', import.meta.url));

describe.runIf(requireComponent('docker', 'docker-compose'))('per-test Docker services', () => {
  it.each([
    ['vitest4', {}],
    ['jest29', { config: 'jest.config.cjs' }],
    ['jest30', { config: 'jest.config.cjs' }],
  ] as [Runner, RunOptions][])(
    '%s: container and compose services from `service`',
    async (runner, options) => {
      // REBIND_SERVICES_REAL=docker: cleanup() also removes containers of the run by label
      const run = start(runner, { ...options, project, env: { REBIND_SERVICES_REAL: 'docker' } });
      expect((await run.exited).code, run.output()).toBe(0);
      const seen = run.records();
      expect(seen.map((s) => s.test).sort()).toEqual([
        'compose 1',
        'compose 2',
        'container 1',
        'container 2',
      ]);
      // `<test> <hostname>`: the test's own command, in a container no other test had
      for (const s of seen)
        expect(s.services.box?.token).toMatch(new RegExp(`^${s.test} \\S+\\n$`));
      expect(new Set(seen.map((s) => s.services.box?.token.split(' ')[2])).size).toBe(4);
      expect(run.output()).toMatch(/rebind: 4 tests, .*leftovers: 0/);
      await expectNothingLeft(run, true);
    },
    240_000,
  );
});
