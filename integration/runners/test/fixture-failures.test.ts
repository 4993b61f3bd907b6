// A config nginx rejects fails one test only: real Vitest and Jest runs of a project where
// test `c 2` asks for such a config and does not catch the error. The runner's own report
// must show exactly that test failed, with REBIND_CONFIG_INVALID naming the test's own
// line; the next test of that worker (`c 3`) passed, on the same port with a fresh master.
import { fileURLToPath } from 'node:url';
import { requireComponent } from '@rebind/test-support';
import { describe, expect, it } from 'vitest';
import type { RunOptions, Runner } from './harness.js';
import { expectNothingLeft, runnersCleanedAfterEach } from './runs.js';

const start = runnersCleanedAfterEach();
const project = fileURLToPath(new URL('../projects/fixtures-fail', import.meta.url));

describe.runIf(requireComponent('nginx'))('a failing config fails one test only', () => {
  it.each([
    ['vitest3', {}],
    ['vitest4', {}],
    ['vitest4', { pool: 'threads' }],
    ['vitest5', {}],
    ['jest29', {}],
    ['jest30', {}],
  ] as [Runner, RunOptions][])('%s %o', async (runner, options) => {
    const run = start(runner, { ...options, project, json: true });
    expect((await run.exited).code, run.output()).toBe(1);
    const results = run.results();
    expect(results.map((r) => [r.title, r.status])).toEqual([
      ['c 1', 'passed'],
      ['c 2', 'failed'],
      ['c 3', 'passed'],
      ['d 1', 'passed'],
      ['d 2', 'passed'],
    ]);
    expect(results[1]?.failureMessages.join('\n')).toMatch(
      /RebindError \[REBIND_CONFIG_INVALID\]: nginx rejected the configuration: unknown directive "retrun" in <snippet>:2 \(rendered copy: \S+, `retrun 200;`\)/,
    );
    const seen = new Map(run.records().map((s) => [s.test, s]));
    const [c1, c3] = [seen.get('c 1'), seen.get('c 3')];
    // the same worker, the same port, a fresh master that serves c 3's own config
    expect(c3?.slot).toBe(c1?.slot);
    expect(c3?.services.nginx?.port).toBe(c1?.services.nginx?.port);
    expect(c3?.services.nginx?.endpointPid).not.toBe(c1?.services.nginx?.endpointPid);
    expect(c3?.services.nginx?.token).toMatch(/^c 3 \d+$/);
    expect(run.output()).toMatch(/rebind: 5 tests, \d+ restarts?, .*leftovers: 0/);
    await expectNothingLeft(run);
  });
});
