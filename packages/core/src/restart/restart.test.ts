import { describe, expect, it } from 'vitest';
import { isRebindError } from '../errors.js';
import type { RestartHooks, RestartPlan } from './restart-plan.js';
import { rejection } from '../../test/helpers.js';
import { startRestartable } from './restart.js';

interface Fake {
  readonly id: number;
  readonly plan: RestartPlan;
}

function fakeHooks(events: string[]): RestartHooks<Fake> {
  let next = 1;
  return {
    name: 'fake',
    strategies: ['wait', 'fresh-port', 'reuseport', 'inherit', 'reload'],
    start: (plan) => {
      const id = next++;
      events.push(
        `start ${id} ${plan.strategy}${plan.reuseport ? ' reuseport' : ''}${plan.socket ? ' socket' : ''}`,
      );
      return Promise.resolve({ id, plan });
    },
    stop: (instance) => {
      events.push(`stop ${instance.id}`);
      return Promise.resolve();
    },
    reload: (instance) => {
      events.push(`reload ${instance.id}`);
      return Promise.resolve(instance);
    },
  };
}

describe('startRestartable', () => {
  it("tells the manager why it stops an instance: 'restart' (replaced) or 'stop' (for good)", async () => {
    const reasons: string[] = [];
    const hooks = fakeHooks([]);
    const r = await startRestartable(
      { ...hooks, stop: (i, reason) => (reasons.push(`${i.id} ${reason}`), hooks.stop(i, reason)) },
      { strategy: 'wait' },
    );
    await r.restart();
    await r.restart({ strategy: 'fresh-port' });
    await r.stop();
    expect(reasons).toEqual(['1 restart', '2 restart', '3 stop']);
  });

  it('runs each strategy through the same hooks', async () => {
    const events: string[] = [];
    const r = await startRestartable(fakeHooks(events));
    const port = r.plan.port;
    await r.restart();
    expect(r.plan.port).toBe(port);
    await r.restart({ strategy: 'fresh-port' });
    expect(r.plan.port).not.toBe(port);
    await r.restart({ strategy: 'reuseport' });
    await r.restart({ strategy: 'reuseport' });
    await r.restart({ strategy: 'inherit' });
    expect(r.plan.socket?.port).toBe(r.plan.port);
    await r.restart({ strategy: 'inherit' });
    await r.restart({ strategy: 'reload' });
    await r.stop();
    await expect(r.restart()).rejects.toThrow(
      'fake was stopped: restart() cannot bring it back. Start a new instance instead.',
    );
    await expect(r.restart()).rejects.toMatchObject({ code: 'REBIND_NOT_RUNNING' });
    expect(events).toEqual([
      'start 1 wait',
      'stop 1',
      'start 2 wait',
      'start 3 fresh-port',
      'stop 2',
      'stop 3',
      'start 4 reuseport reuseport',
      'start 5 reuseport reuseport',
      'stop 4',
      'stop 5',
      'start 6 inherit socket',
      'start 7 inherit socket',
      'stop 6',
      'reload 7',
      'stop 7',
    ]);
  });

  it('refuses reuseport on a non-loopback address unless allowed', async () => {
    const error: unknown = await startRestartable(fakeHooks([]), {
      host: '0.0.0.0',
      port: 8080,
      strategy: 'reuseport',
    }).catch((e: unknown) => e);
    expect(isRebindError(error, 'REBIND_UNSAFE_REUSEPORT')).toBe(true);
    expect((error as Error).message).toBe(
      "The 'reuseport' restart strategy was asked for fake on 0.0.0.0, a non-loopback address: with SO_REUSEPORT another local process of the same user could bind the port too and take part of the connections. Use a loopback host (the default 127.0.0.1), another strategy, or pass `allowUnsafeReuseport: true` if you accept the risk.",
    );
    const allowed = await startRestartable(fakeHooks([]), {
      host: '0.0.0.0',
      port: 8080,
      strategy: 'reuseport',
      allowUnsafeReuseport: true,
    });
    expect(allowed.plan.reuseport).toBe(true);
    await allowed.stop();
  });

  it('validates the strategy against what the manager supports', async () => {
    const hooks = { ...fakeHooks([]), strategies: ['wait', 'fresh-port'] as const };
    await expect(startRestartable(hooks, { strategy: 'reload' })).rejects.toThrow(
      "Expected the `restartStrategy` option to be one of 'wait', 'fresh-port', got `reload` (string).",
    );
  });

  it('keeps an instance that started while the old one failed to stop, stops it later, and tries the old one again', async () => {
    const events: string[] = [];
    const hooks = fakeHooks(events);
    const failing: RestartHooks<Fake> = {
      ...hooks,
      stop: (instance, reason) =>
        instance.id === 1 ? Promise.reject(new Error('stuck')) : hooks.stop(instance, reason),
    };
    const r = await startRestartable(failing, { strategy: 'fresh-port' });
    await expect(r.restart()).rejects.toThrow('stuck');
    expect(r.instance.id).toBe(2);
    // The next restart tries instance 1 again (and goes on when it still fails); stop()
    // tries it once more and says that it is left.
    await r.restart();
    await expect(r.stop()).rejects.toThrow('stuck');
    expect(events).toEqual([
      'start 1 fresh-port',
      'start 2 fresh-port',
      'start 3 fresh-port',
      'stop 2',
      'stop 3',
    ]);
  });

  it('runs concurrent restarts one at a time', async () => {
    const events: string[] = [];
    const r = await startRestartable(fakeHooks(events));
    await Promise.all([r.restart(), r.restart(), r.stop()]);
    expect(events).toEqual([
      'start 1 wait',
      'stop 1',
      'start 2 wait',
      'stop 2',
      'start 3 wait',
      'stop 3',
    ]);
  });

  it("overlaps the new start with the old stop in 'wait' when the hooks opt in: the bind waits for previousStopped", async () => {
    const events: string[] = [];
    const hooks = fakeHooks(events);
    let finishStop: (error?: Error) => void = () => undefined;
    const overlapping: RestartHooks<Fake> = {
      ...hooks,
      overlapWait: true,
      start: async (plan) => {
        events.push('create');
        await plan.previousStopped;
        return hooks.start(plan);
      },
      stop: (instance) => {
        events.push(`stopping ${instance.id}`);
        return new Promise<void>((resolve, reject) => {
          finishStop = (error) => {
            events.push(`stopped ${instance.id}${error ? ' (failed)' : ''}`);
            if (error) reject(error);
            else resolve();
          };
        });
      },
    };
    const r = await startRestartable(overlapping);
    const restarted = r.restart();
    await new Promise((resolve) => setImmediate(resolve));
    expect(events).toEqual(['create', 'start 1 wait', 'stopping 1', 'create']);
    finishStop();
    await restarted;
    expect(r.instance.id).toBe(2);
    // A failed stop fails the restart with the stop's error; the new instance never binds.
    const failing = r.restart();
    await new Promise((resolve) => setImmediate(resolve));
    finishStop(new Error('removal failed'));
    await expect(failing).rejects.toThrow('removal failed');
    expect(r.current).toBeUndefined();
    // The instance that failed to stop is stopped again at stop().
    const stopping = r.stop();
    await new Promise((resolve) => setImmediate(resolve));
    finishStop();
    await stopping;
    expect(events).toEqual([
      'create',
      'start 1 wait',
      'stopping 1',
      'create',
      'stopped 1',
      'start 2 wait',
      'stopping 2',
      'create',
      'stopped 2 (failed)',
      'stopping 2',
      'stopped 2',
    ]);
  });

  it('hands the start hook a settled previousStopped when it does not overlap', async () => {
    const events: string[] = [];
    const hooks = fakeHooks(events);
    const seen: string[] = [];
    const r = await startRestartable({
      ...hooks,
      start: async (plan) => {
        seen.push(await plan.previousStopped.then(() => `${events.length} events`));
        return hooks.start(plan);
      },
    });
    await r.restart();
    await r.stop();
    expect(seen).toEqual(['0 events', '2 events']);
  });
});

describe('startRestartable with a standby', () => {
  const settle = () => new Promise((resolve) => setTimeout(resolve, 20));

  it('swaps in the ready standby, stops the old one in the background and starts the next', async () => {
    const events: string[] = [];
    const r = await startRestartable(fakeHooks(events), {
      strategy: 'fresh-port',
      standby: true,
    });
    await settle();
    expect(events).toEqual(['start 1 fresh-port', 'start 2 fresh-port']);
    const first = r.plan.port;
    const swapped = await r.restart();
    // Resolved before the background work begins: nothing stopped or started yet.
    expect(events).toHaveLength(2);
    expect(swapped.id).toBe(2);
    expect(r.instance.id).toBe(2);
    expect(r.plan.port).toBe(swapped.plan.port);
    expect(r.plan.port).not.toBe(first);
    await settle();
    expect(events.slice(2)).toEqual(['stop 1', 'start 3 fresh-port']);
    await r.stop();
    expect(events.slice(4).sort()).toEqual(['stop 2', 'stop 3']);
  });

  it('discards the standby when the caller asks for a new instance (a new configuration)', async () => {
    const events: string[] = [];
    const r = await startRestartable(fakeHooks(events), { strategy: 'fresh-port', standby: true });
    await settle();
    const fresh = await r.restart({ discardStandby: true });
    expect(fresh.id).toBe(3);
    await settle();
    expect(events.slice(2)).toEqual([
      'stop 2',
      'start 3 fresh-port',
      'stop 1',
      'start 4 fresh-port',
    ]);
    await r.stop();
  });

  it('starts a new instance instead of a stale standby (the configuration changed)', async () => {
    const events: string[] = [];
    let config = 1;
    const configOf = new Map<number, number>();
    const hooks = fakeHooks(events);
    const r = await startRestartable(
      {
        ...hooks,
        start: async (plan, signal) => {
          const started = await hooks.start(plan, signal);
          configOf.set(started.id, config);
          return started;
        },
        isStale: (instance) => configOf.get(instance.id) !== config,
      },
      { strategy: 'fresh-port', standby: true },
    );
    await settle();
    expect((await r.restart()).id).toBe(2); // unchanged: the standby is swapped in
    await settle();
    config = 2;
    const fresh = await r.restart();
    expect(fresh.id).toBe(4); // standby 3 ran config 1: stopped, a new instance started
    expect(configOf.get(fresh.id)).toBe(2);
    await settle();
    expect(events.slice(4)).toEqual([
      'stop 3',
      'start 4 fresh-port',
      'stop 2',
      'start 5 fresh-port',
    ]);
    expect((await r.restart()).id).toBe(5); // the rebuilt standby runs config 2
    await r.stop();
  });

  it('when the standby failed to start, the restart gives the error a plain restart gives', async () => {
    const events: string[] = [];
    const hooks = fakeHooks(events);
    let failing = false;
    const r = await startRestartable(
      {
        ...hooks,
        start: (plan, signal) =>
          failing ? Promise.reject(new Error('bad config')) : hooks.start(plan, signal),
      },
      { strategy: 'fresh-port', standby: true },
    );
    await r.restart(); // swaps in instance 2; the next standby (3) starts meanwhile
    await settle();
    failing = true;
    await r.restart(); // swaps in 3; its successor fails to start
    await settle();
    await expect(r.restart()).rejects.toThrow('bad config');
    await r.stop();
  });

  it.each([
    [
      { strategy: 'wait' as const },
      "The `standby` option needs `restartStrategy: 'fresh-port'`, got `restartStrategy: 'wait'`: the standby waits on another port while the current instance serves, and 'wait' keeps one port. Use `restartStrategy: 'fresh-port'`, or drop `standby`.",
    ],
    [
      { strategy: 'fresh-port' as const, port: 18080 },
      "The `standby` option cannot be used with a fixed port (`18080`): the standby and the current instance would both need it. Use `port: 'auto'` with `restartStrategy: 'fresh-port'`, or drop `standby`.",
    ],
  ])('is refused where two instances cannot coexist (%o)', async (options, message) => {
    const events: string[] = [];
    const error = await rejection(
      startRestartable(fakeHooks(events), { ...options, standby: true }),
    );
    expect(isRebindError(error, 'REBIND_INVALID_OPTION')).toBe(true);
    expect((error as Error).message).toBe(message);
    expect(events).toEqual([]);
  });
});
