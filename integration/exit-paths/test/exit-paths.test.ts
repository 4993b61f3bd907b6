// Every way a run can end, with real runner processes: rebind's servers and its watchdog
// must be gone 2 s after the runner is (the runners skip their own teardown on signals,
// so this rests on the core watchdog).
import { describe, expect, it } from 'vitest';
import { requireComponent } from '@rebind/test-support';
import { containersOf, rebindLeftovers } from '../../runners/test/harness.js';
import { expectNothingLeft, runnersCleanedAfterEach } from '../../runners/test/runs.js';

const start = runnersCleanedAfterEach();

const signals = ['SIGINT', 'SIGTERM', 'SIGKILL'] as const;

describe('exit paths: nothing left 2 s after the runner ends', () => {
  it('a normal end', async () => {
    const run = start('vitest4', {});
    expect((await run.exited).code, run.output()).toBe(0);
    await expectNothingLeft(run);
  });

  it('failing tests', async () => {
    const run = start('vitest4', { env: { REBIND_FAIL_TESTS: '1' } });
    expect((await run.exited).code).toBe(1);
    expect(run.records()).toHaveLength(6);
    await expectNothingLeft(run);
  });

  it.each(['vitest4', 'jest30'] as const)(
    '%s: a throwing setup (a service that cannot start)',
    async (runner) => {
      const run = start(runner, { env: { REBIND_SERVICES_FAIL: '1' } });
      expect((await run.exited).code).not.toBe(0);
      expect(run.output()).toContain('exited');
      expect(run.records()).toEqual([]);
      await expectNothingLeft(run);
    },
  );

  for (const runner of ['vitest4', 'jest30'] as const)
    for (const signal of signals)
      it(`${runner}: ${signal} to the runner mid-test`, async () => {
        const run = start(runner, { env: { REBIND_HANG: '1' } });
        await run.recorded(1);
        expect(rebindLeftovers(run.tag, run.records()).length).toBeGreaterThan(0);
        run.child.kill(signal);
        await expectNothingLeft(run);
      });

  it.each([
    ['vitest4', { pool: 'forks' }],
    ['jest30', {}],
  ] as const)('%s: a SIGKILLed worker', async (runner, options) => {
    const run = start(runner, { ...options, env: { REBIND_KILL_WORKER: '1' } });
    expect((await run.exited).code).not.toBe(0);
    await expectNothingLeft(run);
  });

  it('quitting Vitest watch mode (q)', async () => {
    const run = start('vitest4', { watch: true });
    await run.recorded(6);
    await run.printed(/Waiting for file changes/);
    run.child.stdin?.write('q');
    await expectNothingLeft(run);
  });
});

const real = requireComponent('nginx', 'docker');

describe.runIf(real)('exit paths with nginx and a container', () => {
  const env = { REBIND_SERVICES_REAL: 'nginx,docker' };

  it.each(['vitest4', 'jest30'] as const)('%s: a normal end', async (runner) => {
    const run = start(runner, { env });
    expect((await run.exited).code, run.output()).toBe(0);
    expect(new Set(run.records().map((s) => s.services.edge?.token)).size).toBe(6);
    await expectNothingLeft(run, true);
  });

  for (const [runner, signal] of [
    ['vitest4', 'SIGINT'],
    ['vitest4', 'SIGKILL'],
    ['jest30', 'SIGTERM'],
  ] as const)
    it(`${runner}: ${signal} to the runner mid-test`, async () => {
      const run = start(runner, { env: { ...env, REBIND_HANG: '1' } });
      await run.recorded(1);
      expect(containersOf(run.tag)).toHaveLength(1);
      const running = rebindLeftovers(run.tag, run.records());
      expect(running.filter((p) => p.args.startsWith('nginx: master')).length).toBeGreaterThan(0);
      run.child.kill(signal);
      await expectNothingLeft(run, true);
    });

  it('a crash of an earlier run (runner and watchdog SIGKILLed): the next setup removes its container', async () => {
    const crashed = start('vitest4', { env: { ...env, REBIND_HANG: '1' } });
    await crashed.recorded(1);
    const [container] = containersOf(crashed.tag);
    expect(container).toBeDefined();
    for (const p of rebindLeftovers(crashed.tag).filter((p) => p.args.includes('watchdog')))
      process.kill(p.pid, 'SIGKILL');
    crashed.child.kill('SIGKILL');
    await crashed.exited;
    expect(containersOf(crashed.tag)).toEqual([container]);
    const next = start('vitest4', { env });
    expect((await next.exited).code, next.output()).toBe(0);
    expect(containersOf(crashed.tag)).toEqual([]);
    await expectNothingLeft(next, true);
    // the crashed run's orphaned servers are killed by its cleanup() (afterEach)
  });
});
