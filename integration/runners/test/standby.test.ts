// Real Vitest and Jest runs whose per-test services keep a standby (REBIND_STANDBY=1 in
// projects/services.cjs): every test sees a new instance whose first answer is its own
// (the embedded server counts the requests it received: 1 means no request reached it
// as a standby), and nothing is left after the run, a standby included.
import { requireComponent } from '@rebind/test-support';
import { afterEach, describe, expect, it } from 'vitest';
import {
  leftoversAfter,
  nginxUnder,
  startRunner,
  type RunOptions,
  type Runner,
  type RunningRunner,
} from './harness.js';

const runs: RunningRunner[] = [];
afterEach(() => {
  for (const run of runs.splice(0)) run.cleanup();
});

const nginx = requireComponent('nginx');
const env = { REBIND_STANDBY: '1', ...(nginx ? { REBIND_SERVICES_REAL: 'nginx' } : {}) };

describe('per-test services with a standby', () => {
  it.each([
    ['vitest4', { pool: 'forks' }],
    ['jest30', { config: 'jest.config.cjs' }],
  ] as [Runner, RunOptions][])('%s %o', async (runner, options) => {
    const run = startRunner(runner, { ...options, env });
    runs.push(run);
    expect((await run.exited).code, run.output()).toBe(0);
    const seen = run.records();
    expect(seen).toHaveLength(6);
    for (const name of nginx ? ['web', 'edge'] : ['web'])
      expect(new Set(seen.map((s) => s.services[name]?.token)).size, name).toBe(6);
    // A slot's consecutive tests reached instances on different ports: the standbys.
    for (const slot of new Set(seen.map((s) => s.slot))) {
      const ports = seen.filter((s) => s.slot === slot).map((s) => s.services.web?.port);
      for (let i = 1; i < ports.length; i++) expect(ports[i]).not.toBe(ports[i - 1]);
    }
    // The test's request was the first one each instance received.
    expect(seen.map((s) => s.services.web?.hits)).toEqual([1, 1, 1, 1, 1, 1]);
    expect(await leftoversAfter(run, 2000), run.output()).toEqual([]);
    expect(nginxUnder(run.dir)).toEqual([]);
  });
});
