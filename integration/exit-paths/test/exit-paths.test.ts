// Every way a run can end, with real runner processes: rebind's servers and its watchdog
// must be gone 2 s after the runner is (the runners skip their own teardown on signals,
// so this rests on the core watchdog).
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { requireComponent } from '@rebind/test-support';
import { containersOf, nginxUnder, rebindLeftovers } from '../../runners/test/harness.js';
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

// The fixture path: each test restarts its worker's own nginx with its config (Vitest
// fixtures, Jest's nginx() helper); the instances live in the same service host.
describe.runIf(requireComponent('nginx'))('exit paths with per-test nginx configs', () => {
  const project = (name: string) =>
    fileURLToPath(new URL(`../../runners/projects/${name}`, import.meta.url));
  const vitestFixtures = project('vitest-fixtures');
  const jestFixtures = project('jest-fixtures');

  for (const [runner, signal, dir] of [
    ['vitest4', 'SIGINT', vitestFixtures],
    ['vitest4', 'SIGKILL', vitestFixtures],
    ['jest30', 'SIGTERM', jestFixtures],
  ] as const)
    it(`${runner}: ${signal} to the runner mid-test`, async () => {
      const run = start(runner, { project: dir, env: { REBIND_HANG: '1' } });
      await run.recorded(1);
      const running = rebindLeftovers(run.tag, run.records());
      expect(running.filter((p) => p.args.startsWith('nginx: master')).length).toBeGreaterThan(0);
      run.child.kill(signal);
      await expectNothingLeft(run);
    });

  it.each([
    ['vitest4', vitestFixtures],
    ['jest30', jestFixtures],
  ] as const)('%s: a SIGKILLed worker', async (runner, dir) => {
    const run = start(runner, { project: dir, env: { REBIND_KILL_WORKER: '1' } });
    expect((await run.exited).code).not.toBe(0);
    await expectNothingLeft(run);
  });
});

describe.runIf(real)('exit paths with standby instances (nginx, a command, a container)', () => {
  const env = { REBIND_SERVICES_REAL: 'nginx,docker', REBIND_STANDBY: '1' };

  it('vitest4: a normal end', async () => {
    const run = start('vitest4', { env });
    expect((await run.exited).code, run.output()).toBe(0);
    expect(new Set(run.records().map((s) => s.services.box?.token)).size).toBe(6);
    await expectNothingLeft(run, true);
  });

  for (const [runner, signal] of [
    ['vitest4', 'SIGKILL'],
    ['jest30', 'SIGTERM'],
  ] as const)
    it(`${runner}: ${signal} to the runner mid-test, the standbys running`, async () => {
      const run = start(runner, { env: { ...env, REBIND_HANG: '1' } });
      await run.recorded(1);
      // Each per-test service of the hanging worker runs beside its standby.
      for (let i = 0; i < 400 && nginxUnder(run.dir).length < 2; i++)
        await new Promise((r) => setTimeout(r, 50));
      expect(nginxUnder(run.dir).length).toBeGreaterThanOrEqual(2);
      for (let i = 0; i < 400 && containersOf(run.tag).length < 3; i++)
        await new Promise((r) => setTimeout(r, 50));
      expect(containersOf(run.tag).length).toBeGreaterThanOrEqual(3); // store, box, its standby
      run.child.kill(signal);
      await expectNothingLeft(run, true);
    });
});
