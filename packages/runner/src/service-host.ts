// The runner's main process side: runs the declared services, one instance per worker
// slot (or one shared), restarts them on request, runs the servers tests ask for
// themselves (fixtures, Jest's helper), and answers workers over a loopback control
// channel. Used by @rebind/vitest's globalSetup and @rebind/jest's globalSetup.
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { createLogger, isRebindError } from '@rebind/core';
import { warmSpawner } from '@rebind/core/internal';
import type { ControlAnswer, RebindContext, ServiceEndpoint } from './client.js';
import type { RebindOptions, ResolvedService } from './declaration.js';
import { toWire } from './control-error.js';
import { FixtureSlots, validateFixtureRequest } from './fixture-slots.js';
import { leftoverContainers, type LeftoverContainer } from './leftover-containers.js';
import { validateServices } from './validate-services.js';
import { removeStale } from './remove-stale.js';
import { restartsAtEnd, ServiceSlots } from './service-slots.js';
import { warn } from './warn.js';

/** Figures for the summary line. */
export interface HostStats {
  readonly tests: number;
  readonly restarts: number;
  /** Every restart's duration, in ms. */
  readonly restartMs: readonly number[];
  readonly slots: number;
  /** Ms the host spent getting tests' servers ready at their start (restarts waited for, tests' own configurations). */
  readonly addedMs: number;
  /** Tests that started on standbys already known to be ready (no call waited for). @default 0 */
  readonly prefetched?: number;
}

export interface ServiceHost {
  /** What to hand to test workers. */
  readonly context: RebindContext;
  readonly services: readonly ResolvedService[];
  stats(): HostStats;
  /** Applies each service's `rerun` policy (watch mode). */
  rerun(): Promise<void>;
  /**
   * Stops every instance and the control channel; returns the pids still alive after, and
   * the containers of this run still in an engine or only in its containerd.
   */
  stop(): Promise<{ leftovers: number[]; containers: LeftoverContainer[] }>;
}

const calls = new Set([
  'acquire',
  'test-start',
  'test-end',
  'next',
  'stats',
  'configure',
  'error-log',
  'access-log',
  'tests',
]);

/** What the control channel answers each call with. */
class ControlAnswers {
  addedMs = 0;
  constructor(
    readonly slots: ServiceSlots,
    readonly fixtures: FixtureSlots,
  ) {}

  // A test's own server (fixtures, Jest's helper): its options are the request's body.
  async configure(slot: number, body: string): Promise<ServiceEndpoint> {
    if (this.slots.stopping) throw new Error('rebind: the run is ending; no new instances.');
    const request = validateFixtureRequest(JSON.parse(body || '{}'));
    const t0 = performance.now();
    // A failed start or restart (a config nginx rejects) counts as added time, not as a restart.
    let restarted = false;
    try {
      const result = await this.fixtures.configure(slot, request);
      restarted = result.restarted;
      return result.endpoint;
    } finally {
      const took = performance.now() - t0;
      this.addedMs += took;
      if (restarted) this.slots.restartMs.push(took);
    }
  }

  async answer(call: string, slot: number, url: URL, body: string): Promise<ControlAnswer> {
    switch (call) {
      case 'configure':
        return { endpoint: await this.configure(slot, body) };
      case 'error-log':
        return { log: await this.fixtures.errorLog(slot) };
      case 'access-log':
        return { log: await this.fixtures.accessLog(slot) };
      case 'next': {
        // Answered once the standbys are ready: the worker's next test starts on them.
        const t0 = performance.now();
        const endpoints = await this.slots.next(slot);
        const took = (performance.now() - t0).toFixed(2);
        this.slots.log(
          'next for slot %d: %s after %s ms',
          slot,
          endpoints ? 'ready' : 'none',
          took,
        );
        return endpoints === undefined ? {} : { endpoints };
      }
      case 'tests': // counted by workers that make no test-start call (no per-test service)
        this.slots.tests += Number(url.searchParams.get('count') ?? 0) || 0;
        return { endpoints: {} };
      default: {
        const t0 = performance.now();
        // the endpoints, and the services the engine could not start (see ServiceSlots)
        // `prefetched`: the worker already runs its test on the standbys; its time is not
        // the test's.
        const prefetched = call === 'test-start' && url.searchParams.get('prefetched') === '1';
        const reply = await this.slots.endpoints(
          call as 'acquire' | 'test-start',
          slot,
          prefetched,
        );
        if (prefetched) this.slots.log('test-start for slot %d: started on the standbys', slot);
        else if (call === 'test-start') this.addedMs += performance.now() - t0;
        return reply;
      }
    }
  }
}

/** The control channel: loopback HTTP, a per-run secret path. */
async function startControl(
  answers: ControlAnswers,
  secret: string,
  stats: () => HostStats,
): Promise<{ server: Server; port: number }> {
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://control');
    const [, key, call] = url.pathname.split('/');
    const slot = Number(url.searchParams.get('slot') ?? 1);
    const reply = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (key !== secret || call === undefined || !calls.has(call)) {
      reply(404, { error: { message: 'unknown rebind control call' } });
    } else if (call === 'test-end') {
      // The worker's last test (of its file): no restart now; a next test-start restarts.
      answers.slots.testEnd(slot, url.searchParams.get('last') === '1');
      reply(200, { endpoints: {} });
    } else if (call === 'stats') {
      reply(200, { endpoints: {}, stats: stats() });
    } else {
      let body = '';
      req.setEncoding('utf8');
      req.on('data', (chunk: string) => (body += chunk));
      req.on('end', () => {
        answers.answer(call, slot, url, body).then(
          (result) => reply(200, result),
          (error: unknown) => reply(500, { error: toWire(error) }),
        );
      });
    }
  });
  // Workers keep their connections (client.ts), dropping idle ones after 4 s.
  server.keepAliveTimeout = 10_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  server.unref();
  const address = server.address();
  return { server, port: typeof address === 'object' && address !== null ? address.port : 0 };
}

export async function startServiceHost(options: RebindOptions = {}): Promise<ServiceHost> {
  const services = await validateServices(options);
  // Up before the first test asks for a server: its starts then fork from the spawner.
  void warmSpawner();
  const log = createLogger('runner', process.pid);
  const runId = `${process.pid}-${randomBytes(4).toString('hex')}`;
  if (options.removeStale ?? true) await removeStale(services, log);
  const slots = new ServiceSlots(services, runId, log);
  const fixtures = new FixtureSlots({ 'rebind.runner': runId });
  const answers = new ControlAnswers(slots, fixtures);
  const stats = (): HostStats => ({
    tests: slots.tests,
    restarts: slots.restartMs.length,
    restartMs: [...slots.restartMs],
    slots: slots.size,
    addedMs: answers.addedMs,
    prefetched: slots.prefetched,
  });
  const secret = randomBytes(12).toString('hex');
  const { server, port } = await startControl(answers, secret, stats);

  const stopAll = async (): Promise<number[]> => {
    try {
      const [declared, own] = await Promise.allSettled([slots.stopAll(), fixtures.stop()]);
      if (declared.status === 'rejected') throw declared.reason;
      if (own.status === 'rejected') throw own.reason;
      return [...declared.value, ...[...fixtures.pids].filter(alive)];
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  };
  const shared: Record<string, ServiceEndpoint> = {};
  try {
    for (const service of services.filter((s) => s.pristine === 'shared')) {
      try {
        shared[service.name] = slots.endpointOf(await slots.slotOf(service, 0));
      } catch (error) {
        // The engine is down: the tests that use this service fail with the error (each
        // asks again, so they recover once it answers); the others run.
        if (!isRebindError(error, 'REBIND_DOCKER_UNAVAILABLE')) throw error;
        warn(`shared service \`${service.name}\` did not start: ${error.message}`);
      }
    }
  } catch (error) {
    await stopAll();
    throw error;
  }

  return {
    context: {
      control: `http://127.0.0.1:${port}/${secret}`,
      policies: Object.fromEntries(services.map((s) => [s.name, s.pristine])),
      testEnd: services.some(restartsAtEnd),
      shared,
    },
    services,
    stats,
    rerun: () => slots.rerun(),
    async stop() {
      const leftovers = await stopAll();
      return { leftovers, containers: await leftoverContainers(services, log) };
    },
  };
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
