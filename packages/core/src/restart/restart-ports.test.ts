// Several port slots through startRestartable: fixed slots stay, 'auto' slots rotate through
// leased ports, 'random' ones are the server's pick, and a remapped fixed slot moves after.
import { describe, expect, it } from 'vitest';
import type { RestartHooks, RestartPlan } from './restart-plan.js';
import { startRestartable } from './restart.js';

interface Fake {
  readonly id: number;
  readonly plan: RestartPlan;
}

/** Hooks whose leases hand out 50001, 50002... and whose instances report `actual` ports. */
function slotHooks(events: string[], actual: (id: number, plan: RestartPlan) => number[]) {
  let next = 1;
  let port = 50001;
  const released: number[] = [];
  const hooks: RestartHooks<Fake> = {
    name: 'fake',
    strategies: ['wait', 'fresh-port'],
    start: (plan) => {
      const id = next++;
      events.push(`start ${id} ${plan.strategy} ${plan.ports.join(',')}`);
      return Promise.resolve({ id, plan });
    },
    stop: (instance) => {
      events.push(`stop ${instance.id}`);
      return Promise.resolve();
    },
    portsOf: (instance) => actual(instance.id, instance.plan),
    leasePort: () => {
      const leased = port++;
      return Promise.resolve({
        port: leased,
        release: () => {
          released.push(leased);
          return Promise.resolve();
        },
      });
    },
  };
  return { hooks, released };
}

describe('startRestartable with port slots', () => {
  it("keeps fixed slots, rotates 'auto' ones through 4 leases, and leaves 'random' ones to the server", async () => {
    const events: string[] = [];
    const { hooks, released } = slotHooks(events, (_, plan) => [...plan.ports]);
    const r = await startRestartable(hooks, {
      ports: [8080, 'auto', 'random'],
      strategy: 'fresh-port',
    });
    expect(r.plan.ports).toEqual([8080, 50001, 0]);
    expect(r.plan.port).toBe(8080);
    expect(r.plan.fixed).toEqual([true, false, false]);
    for (let i = 0; i < 5; i++) await r.restart();
    await r.restart({ strategy: 'wait' });
    await r.stop();
    // A fixed slot cannot be shared: each 'fresh-port' restart stops the old instance first.
    expect(events).toEqual([
      'start 1 fresh-port 8080,50001,0',
      'stop 1',
      'start 2 fresh-port 8080,50002,0',
      'stop 2',
      'start 3 fresh-port 8080,50003,0',
      'stop 3',
      'start 4 fresh-port 8080,50004,0',
      'stop 4',
      'start 5 fresh-port 8080,50001,0',
      'stop 5',
      'start 6 fresh-port 8080,50002,0',
      'stop 6',
      'start 7 wait 8080,50002,0',
      'stop 7',
    ]);
    expect(released.sort()).toEqual([50001, 50002, 50003, 50004]);
  });

  it('starts the new instance while the old one stops when no slot is fixed', async () => {
    const events: string[] = [];
    const { hooks } = slotHooks(events, (_, plan) => [...plan.ports]);
    const r = await startRestartable(hooks, { ports: ['auto', 'auto'], strategy: 'fresh-port' });
    await r.restart();
    await r.stop();
    expect(events).toEqual([
      'start 1 fresh-port 50001,50002',
      'start 2 fresh-port 50003,50004',
      'stop 1',
      'stop 2',
    ]);
  });

  it('moves a fixed slot like an auto one once the server remapped it', async () => {
    const events: string[] = [];
    // The first instance found 8080 held and used 40000 instead; later ones got what they asked.
    const { hooks, released } = slotHooks(events, (id, plan) =>
      id === 1 ? [40000, plan.ports[1] ?? 0] : [...plan.ports],
    );
    const r = await startRestartable(hooks, { ports: [8080, 9090], strategy: 'fresh-port' });
    expect(r.plan.fixed).toEqual([true, true]);
    await r.restart();
    expect(r.plan.fixed).toEqual([false, true]);
    await r.restart({ strategy: 'wait' });
    await r.restart();
    await r.stop();
    expect(events).toEqual([
      'start 1 fresh-port 8080,9090',
      'stop 1',
      'start 2 fresh-port 50001,9090',
      'stop 2',
      'start 3 wait 50001,9090',
      'stop 3',
      'start 4 fresh-port 50002,9090',
      'stop 4',
    ]);
    expect(released.sort()).toEqual([50001, 50002, 50003]);
  });

  it('drops a leased port the server could not use, and leases another', async () => {
    const events: string[] = [];
    // Instance 1 found its leased port taken and used 45000 (its own replacement) instead.
    const { hooks, released } = slotHooks(events, (id, plan) =>
      id === 1 ? [45000] : [...plan.ports],
    );
    const r = await startRestartable(hooks, { ports: ['auto'] });
    expect(released).toEqual([50001]);
    await r.restart();
    await r.restart();
    await r.stop();
    expect(events).toEqual([
      'start 1 wait 50001',
      'stop 1',
      'start 2 wait 50002',
      'stop 2',
      'start 3 wait 50002',
      'stop 3',
    ]);
    expect(released).toEqual([50001, 50002]);
  });

  it("moves away from a single `port` number on 'fresh-port' (nginx's `port`)", async () => {
    const events: string[] = [];
    const { hooks } = slotHooks(events, (_, plan) => [...plan.ports]);
    const r = await startRestartable(hooks, { port: 8080, strategy: 'fresh-port' });
    expect(r.plan.fixed).toEqual([false]);
    await r.restart();
    await r.stop();
    expect(events).toEqual([
      'start 1 fresh-port 8080',
      'start 2 fresh-port 50001',
      'stop 1',
      'stop 2',
    ]);
  });

  it('validates the slots', async () => {
    const { hooks } = slotHooks([], (_, plan) => [...plan.ports]);
    await expect(startRestartable(hooks, { ports: [80, 70000] })).rejects.toThrow(
      'Expected the `ports[1]` option to be an integer from 1 to 65535, got `70000` (number).',
    );
    await expect(
      startRestartable(hooks, { ports: 'auto' as unknown as readonly number[] }),
    ).rejects.toThrow(
      "Expected the `ports` option to be an array of ports, 'auto' or 'random', got `auto` (string).",
    );
  });
});
