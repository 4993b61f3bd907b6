// The runner's main process side: runs the declared services, one instance per worker
// slot (or one shared), restarts them on request, and answers workers over a loopback
// control channel. Used by @rebind/vitest's globalSetup and @rebind/jest's globalSetup.
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { createLogger, isRebindError } from '@rebind/core';
import type {
  ControlAnswer,
  ControlCall,
  Endpoints,
  RebindContext,
  ServiceEndpoint,
} from './client.js';
import { FixtureSlots, validateFixtureRequest } from './fixture-slots.js';
import { resolveServices, type RebindOptions, type ResolvedService } from './declaration.js';
import { removeStale } from './remove-stale.js';
import type { ServiceInstance } from './service-instance.js';
import { startInstance } from './start-instance.js';

interface Slot {
  readonly service: ResolvedService;
  readonly slot: number;
  instance: ServiceInstance;
  generation: number;
  /** A test already ran against this instance: the next test needs a fresh one. */
  used: boolean;
  /** A restart begun at `test-end`, awaited by the slot's next `test-start`. */
  pending: Promise<void> | undefined;
  readonly pids: Set<number>;
}

/** Figures for the summary line. */
export interface HostStats {
  readonly tests: number;
  readonly restarts: number;
  /** Every restart's duration, in ms. */
  readonly restartMs: readonly number[];
  readonly slots: number;
  /** Time the host spent making tests' servers ready at their start (restarts it waited for, configurations), in ms. */
  readonly addedMs: number;
}

export interface ServiceHost {
  /** What to hand to test workers. */
  readonly context: RebindContext;
  readonly services: readonly ResolvedService[];
  stats(): HostStats;
  /** Applies each service's `rerun` policy (watch mode). */
  rerun(): Promise<void>;
  /** Stops every instance and the control channel; returns the pids still alive after. */
  stop(): Promise<{ leftovers: number[] }>;
}

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
};

export async function startServiceHost(options: RebindOptions): Promise<ServiceHost> {
  const services = resolveServices(options);
  const log = createLogger('runner', process.pid);
  const runId = `${process.pid}-${randomBytes(4).toString('hex')}`;
  const labels = { 'rebind.runner': runId };
  if (options.removeStale ?? true) await removeStale(services, log);

  const slots = new Map<string, Promise<Slot>>();
  const restartMs: number[] = [];
  const fixtures = new FixtureSlots(labels);
  let tests = 0;
  let addedMs = 0;
  let stopping = false;

  const endpointOf = (s: Slot): ServiceEndpoint => {
    const { token, ...address } = s.instance.address();
    return {
      service: s.service.name,
      slot: s.slot,
      ...address,
      token: token ?? `${runId}/${s.service.name}/${s.slot}/${s.generation}`,
    };
  };
  const track = (s: Slot) => {
    const pid = s.instance.address().pid;
    if (pid !== undefined) s.pids.add(pid);
  };

  function slotOf(service: ResolvedService, slot: number): Promise<Slot> {
    const key = `${service.name}#${slot}`;
    let pending = slots.get(key);
    if (pending === undefined) {
      log('starting %s for slot %d', service.name, slot);
      pending = startInstance({ service, slot, labels }).then((instance) => {
        const s: Slot = {
          service,
          slot,
          instance,
          generation: 1,
          used: false,
          pending: undefined,
          pids: new Set(),
        };
        track(s);
        return s;
      });
      slots.set(key, pending);
      pending.catch(() => slots.delete(key));
    }
    return pending;
  }

  async function restart(s: Slot): Promise<void> {
    const t0 = performance.now();
    await s.instance.restart();
    restartMs.push(performance.now() - t0);
    s.generation += 1;
    track(s);
  }

  // After a test, restart its per-test instances at once: the restart overlaps the
  // runner's own work between tests (reporting, hooks), and the next test-start awaits it.
  function testEnd(slot: number, last: boolean): void {
    // The worker's last test (of its file): no restart now; a next test-start restarts.
    if (last) return;
    for (const service of services) {
      if (service.pristine !== 'per-test') continue;
      void slots.get(`${service.name}#${slot}`)?.then((s) => {
        if (!s.used || s.pending !== undefined || stopping) return;
        const pending = restart(s).then(() => void (s.used = false));
        s.pending = pending;
        pending.catch((error: unknown) => log('restart of %s failed: %s', service.name, error));
      });
    }
  }

  async function settle(s: Slot): Promise<void> {
    const pending = s.pending;
    if (pending === undefined) return;
    try {
      await pending;
    } finally {
      s.pending = undefined;
    }
  }

  async function endpoints(call: ControlCall, slot: number): Promise<Endpoints> {
    if (stopping) throw new Error('rebind: the run is ending; no new instances.');
    if (call === 'test-start') tests += 1;
    const entries = await Promise.all(
      services.map(async (service) => {
        const s = await slotOf(service, service.pristine === 'shared' ? 0 : slot);
        // A restart begun at test-end must finish first: the managers have no address
        // while they restart.
        await settle(s);
        if (call === 'test-start' && service.pristine === 'per-test') {
          if (s.used) await restart(s);
          s.used = true;
        }
        return [service.name, endpointOf(s)] as const;
      }),
    );
    return Object.fromEntries(entries);
  }

  // A test's own server (fixtures, Jest's helper): its options are the request's body.
  async function configure(slot: number, body: string): Promise<ServiceEndpoint> {
    if (stopping) throw new Error('rebind: the run is ending; no new instances.');
    const request = validateFixtureRequest(JSON.parse(body || '{}'));
    const t0 = performance.now();
    let restarted = true;
    try {
      const result = await fixtures.configure(slot, request);
      restarted = result.restarted;
      return result.endpoint;
    } finally {
      const took = performance.now() - t0;
      addedMs += took;
      if (restarted) restartMs.push(took);
    }
  }

  async function answer(call: ControlCall, slot: number, url: URL, body: string) {
    const t0 = performance.now();
    switch (call) {
      case 'configure':
        return { endpoint: await configure(slot, body) };
      case 'error-log':
        return { log: await fixtures.errorLog(slot) };
      case 'tests': // counted by workers that make no test-start call (no per-test service)
        tests += Number(url.searchParams.get('count') ?? 0) || 0;
        return { endpoints: {} };
      case 'acquire':
      case 'test-start': {
        const result = { endpoints: await endpoints(call, slot) };
        if (call === 'test-start') addedMs += performance.now() - t0;
        return result;
      }
      case 'test-end':
      case 'stats':
        return { endpoints: {} };
    }
  }

  const calls = new Set<string>([
    'acquire',
    'test-start',
    'test-end',
    'stats',
    'configure',
    'error-log',
    'tests',
  ]);
  const secret = randomBytes(12).toString('hex');
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://control');
    const [, key, call] = url.pathname.split('/');
    const reply = (status: number, body: ControlAnswer | { stats: HostStats }) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (key !== secret || call === undefined || !calls.has(call)) {
      reply(404, { error: { message: 'unknown rebind control call' } });
      return;
    }
    if (call === 'test-end') {
      testEnd(Number(url.searchParams.get('slot') ?? 1), url.searchParams.get('last') === '1');
      reply(200, { endpoints: {} });
      return;
    }
    if (call === 'stats') {
      reply(200, { endpoints: {}, stats: host.stats() });
      return;
    }
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      answer(call as ControlCall, Number(url.searchParams.get('slot') ?? 1), url, body).then(
        (result) => reply(200, result),
        (error: unknown) =>
          reply(500, {
            error: {
              message: error instanceof Error ? error.message : String(error),
              code: isRebindError(error) ? error.code : undefined,
            },
          }),
      );
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  server.unref();
  const address = server.address();
  const controlPort = typeof address === 'object' && address !== null ? address.port : 0;

  const shared: Record<string, ServiceEndpoint> = {};
  try {
    for (const service of services.filter((s) => s.pristine === 'shared'))
      shared[service.name] = endpointOf(await slotOf(service, 0));
  } catch (error) {
    await stopAll();
    throw error;
  }

  async function stopAll(): Promise<number[]> {
    stopping = true;
    const all = await Promise.allSettled([...slots.values()]);
    slots.clear();
    await Promise.allSettled(
      all.flatMap((r) => (r.status === 'fulfilled' && r.value.pending ? [r.value.pending] : [])),
    );
    const pids: number[] = [...fixtures.pids];
    const results = await Promise.allSettled([
      fixtures.stop(),
      ...all.map(async (r) => {
        if (r.status !== 'fulfilled') return;
        pids.push(...r.value.pids);
        await r.value.instance.stop();
      }),
    ]);
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    const failed = results.find((r) => r.status === 'rejected');
    if (failed) throw failed.reason;
    return pids.filter(alive);
  }

  const host: ServiceHost = {
    context: {
      control: `http://127.0.0.1:${controlPort}/${secret}`,
      policies: Object.fromEntries(services.map((s) => [s.name, s.pristine])),
      shared,
    },
    services,
    stats: () => ({
      tests,
      restarts: restartMs.length,
      restartMs: [...restartMs],
      slots: slots.size,
      addedMs,
    }),
    async rerun() {
      const all = await Promise.all(slots.values());
      await Promise.allSettled(all.map(settle));
      await Promise.all(
        all
          .filter((s) => s.service.rerun === 'restart')
          .map((s) => restart(s).then(() => void (s.used = false))),
      );
    },
    async stop() {
      return { leftovers: await stopAll() };
    },
  };
  return host;
}
