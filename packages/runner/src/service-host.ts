// The runner's main process side: runs the declared services, one instance per worker
// slot (or one shared), restarts them on request, and answers workers over a loopback
// control channel. Used by @rebind/vitest's globalSetup and @rebind/jest's globalSetup.
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { createLogger, isRebindError } from '@rebind/core';
import type { RebindContext, ServiceEndpoint } from './client.js';
import type { RebindOptions, ResolvedService } from './declaration.js';
import { toWire } from './control-error.js';
import { validateServices } from './validate-services.js';
import { removeStale } from './remove-stale.js';
import { ServiceSlots } from './service-slots.js';
import { warn } from './warn.js';

/** Figures for the summary line. */
export interface HostStats {
  readonly tests: number;
  readonly restarts: number;
  /** Every restart's duration, in ms. */
  readonly restartMs: readonly number[];
  readonly slots: number;
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

const calls = new Set(['acquire', 'test-start', 'test-end', 'stats']);

/** The control channel: loopback HTTP, a per-run secret path. */
async function startControl(
  slots: ServiceSlots,
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
      slots.testEnd(slot);
      reply(200, { endpoints: {} });
    } else if (call === 'stats') {
      reply(200, { endpoints: {}, stats: stats() });
    } else {
      slots.endpoints(call as 'acquire' | 'test-start', slot).then(
        (result) => reply(200, result),
        (error: unknown) => reply(500, { error: toWire(error) }),
      );
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  server.unref();
  const address = server.address();
  return { server, port: typeof address === 'object' && address !== null ? address.port : 0 };
}

export async function startServiceHost(options: RebindOptions): Promise<ServiceHost> {
  const services = await validateServices(options);
  const log = createLogger('runner', process.pid);
  const runId = `${process.pid}-${randomBytes(4).toString('hex')}`;
  if (options.removeStale ?? true) await removeStale(services, log);
  const slots = new ServiceSlots(services, runId, log);
  const stats = (): HostStats => ({
    tests: slots.tests,
    restarts: slots.restartMs.length,
    restartMs: [...slots.restartMs],
    slots: slots.size,
  });
  const secret = randomBytes(12).toString('hex');
  const { server, port } = await startControl(slots, secret, stats);

  const stopAll = async (): Promise<number[]> => {
    try {
      return await slots.stopAll();
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
      shared,
    },
    services,
    stats,
    rerun: () => slots.rerun(),
    async stop() {
      return { leftovers: await stopAll() };
    },
  };
}
