// Per describe block `nginxDefaults` through the override form each Vitest has
// (`test.scoped` on Vitest 3, `test.override` on Vitest 4.1 and 5), in 2 workers: every
// test sees its block's defaults with its own snippet (a test's own httpConfig wins), each
// from a fresh master on its worker's one port; nothing left.
import { fileURLToPath } from 'node:url';
import { requireComponent } from '@rebind/test-support';
import { describe, expect, it } from 'vitest';
import type { RunOptions, Runner } from './harness.js';
import {
  expectFreshMastersOnePortPerWorker,
  expectNothingLeft,
  runnersCleanedAfterEach,
} from './runs.js';

const start = runnersCleanedAfterEach();
const project = fileURLToPath(new URL('../projects/vitest-overrides', import.meta.url));

describe.runIf(requireComponent('nginx'))('nginxDefaults per describe block', () => {
  it.each([
    ['vitest3', {}, 'scoped'],
    ['vitest4', {}, 'override'],
    ['vitest4', { pool: 'threads' }, 'override'],
    ['vitest5', {}, 'override'],
  ] as [Runner, RunOptions, string][])('%s %o: test.%s', async (runner, options, form) => {
    const run = start(runner, { ...options, project });
    expect((await run.exited).code, run.output()).toBe(0);
    const seen = run.records();
    expect(seen.map((s) => s.test).sort()).toEqual(
      ['a x', 'a y', 'b x', 'b y'].flatMap((block) => [`${block} 1`, `${block} 2`]),
    );
    for (const s of seen) {
      // `<$block>|<test>|<form>|<pid>`: the block's defaults, or the test's own httpConfig
      const block = s.test.endsWith(' 2') ? 'own' : s.test.slice(0, -2);
      expect(s.services.nginx?.token).toMatch(
        new RegExp(`^${block}\\|${s.test}\\|${form}\\|\\d+$`),
      );
    }
    // a fresh master for every test, one port per worker, both workers used
    expectFreshMastersOnePortPerWorker(seen);
    expect(run.output()).toMatch(/rebind: 8 tests, 6 restarts, .*leftovers: 0/);
    await expectNothingLeft(run);
  });
});
