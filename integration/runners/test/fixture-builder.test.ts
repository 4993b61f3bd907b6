// Vitest 4.1's builder form on rebind's `test` (Vitest 4.1 and 5; Vitest 3 has no builder):
// a user's own fixture built on `nginx` with `test.extend(name, fn)`, its error-log check in
// `onCleanup`, and `test.override(name, value)` per describe block, in 2 workers. Each test
// sees its own config from a fresh master on its worker's one port; the cleanup check fails
// the one test whose nginx logged an [error], with the line, and the next test passes.
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
const project = fileURLToPath(new URL('../projects/vitest-builder', import.meta.url));

describe.runIf(requireComponent('nginx'))('fixtures built with the builder form', () => {
  it.each([
    ['vitest4', {}],
    ['vitest4', { pool: 'threads' }],
    ['vitest5', {}],
  ] as [Runner, RunOptions][])('%s %o', async (runner, options) => {
    const run = start(runner, { ...options, project, json: true });
    expect((await run.exited).code, run.output()).toBe(1);
    const results = run.results();
    expect(results.map((r) => [r.title, r.status]).sort()).toEqual([
      ['e 1', 'passed'],
      ['e 2', 'failed'],
      ['e 3', 'passed'],
      ['e 4', 'passed'],
      ['f 1', 'passed'],
      ['f 2', 'passed'],
    ]);
    expect(results.find((r) => r.title === 'e 2')?.failureMessages.join('\n')).toMatch(
      /Expected no \[error\]\/\[crit\]\/\[alert\]\/\[emerg\] line in the error log, got 1:\n.*\[error\].*open\(\) "\/nonexistent\/missing\/file" failed/,
    );
    const seen = run.records();
    expect(seen.map((s) => s.test).sort()).toEqual(['e 1', 'e 2', 'e 3', 'e 4', 'f 1', 'f 2']);
    for (const s of seen) {
      // `<greeting>|<test>|<worker pid>`: the block's override for e 4, else the file's value
      const greeting = s.test === 'e 4' ? 'block' : 'file';
      expect(s.services.nginx?.token).toMatch(new RegExp(`^${greeting}\\|${s.test}\\|\\d+$`));
    }
    // a fresh master for every test, one port per worker, both workers used
    expectFreshMastersOnePortPerWorker(seen);
    expect(run.output()).toMatch(/rebind: 6 tests, 4 restarts, .*leftovers: 0/);
    await expectNothingLeft(run);
  });
});
