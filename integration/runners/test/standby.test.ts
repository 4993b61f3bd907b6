// Real Vitest and Jest runs whose per-test services keep a standby (REBIND_STANDBY=1 in
// projects/services.cjs): every test sees a new instance whose first answer is its own
// (the embedded server counts the requests it received: 1 means no request reached it
// as a standby), and nothing is left after the run, a standby included.
import { askControl, type ServiceEndpoint } from '@rebind/runner/client';
import { startServiceHost } from '@rebind/runner';
import { nginxMastersUnder, requireComponent } from '@rebind/test-support';
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

describe.runIf(nginx)("a test's own nginx (fixture) with `standby: true`", () => {
  it('swaps in the standby when a test asks for the same config, restarts on a new one', async () => {
    const host = await startServiceHost({});
    const ask = async (snippet: string) =>
      (
        await askControl(host.context.control, 'configure', 1, {
          kind: 'nginx',
          options: { snippet, standby: true },
        })
      ).endpoint as ServiceEndpoint;
    const same = 'location / { return 200 "same"; }';
    let prefix = '';
    try {
      const first = await ask(same);
      prefix = first.prefix as string;
      // The current master and its standby, already started for the next test.
      const standby = async () => {
        for (let i = 0; i < 400; i++) {
          const masters = nginxMastersUnder(prefix).map((r) => r.pid);
          const other = masters.filter((pid) => pid !== first.pid);
          if (masters.length === 2 && other.length === 1) return other[0];
          await new Promise((resolve) => setTimeout(resolve, 25));
        }
        throw new Error('no standby started');
      };
      const waiting = await standby();
      const second = await ask(same);
      expect(second.pid).toBe(waiting);
      expect(second.port).not.toBe(first.port);
      expect(await (await fetch(second.url)).text()).toBe('same');
      // Another config: the standby (built on the old one) is not used.
      const third = await ask('location / { return 200 "other"; }');
      expect(await (await fetch(third.url)).text()).toBe('other');
      expect(third.token).not.toBe(second.token);
    } finally {
      const { leftovers } = await host.stop();
      expect(leftovers).toEqual([]);
    }
    expect(nginxMastersUnder(prefix)).toEqual([]);
  });
});
