// The runner's main process side: runs the declared services, one instance per worker
// slot (or one shared), restarts them on request, runs the servers tests ask for
// themselves (fixtures, Jest's helper), and answers workers over a control channel
// (loopback HTTP, and a unix socket beside it). Used by @rebind/vitest's globalSetup and
// @rebind/jest's globalSetup.
import { randomBytes } from 'node:crypto';
import { createLogger, isRebindError } from '@rebind/core';
import { warmSpawner } from '@rebind/core/internal';
import type { RebindContext, ServiceEndpoint } from './client.js';
import { ControlAnswers, type HostStats } from './control-answers.js';
import { startControlHttp } from './control-http.js';
import { startControlSocket } from './control-socket.js';
import type { RebindOptions, ResolvedService } from './declaration.js';
import { FixtureSlots } from './fixture-slots.js';
import { leftoverContainers, type LeftoverContainer } from './leftover-containers.js';
import { validateServices } from './validate-services.js';
import { removeStale } from './remove-stale.js';
import { restartsAtEnd, ServiceSlots } from './service-slots.js';
import { warn } from './warn.js';

export type { HostStats } from './control-answers.js';

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
  const stats = () => answers.stats();
  const secret = randomBytes(12).toString('hex');
  const { server, port } = await startControlHttp(answers, secret);
  const socket = await startControlSocket(answers);

  const stopAll = async (): Promise<number[]> => {
    try {
      const [declared, own] = await Promise.allSettled([slots.stopAll(), fixtures.stop()]);
      if (declared.status === 'rejected') throw declared.reason;
      if (own.status === 'rejected') throw own.reason;
      return [...declared.value, ...[...fixtures.pids].filter(alive)];
    } finally {
      server.closeAllConnections();
      await Promise.all([new Promise((resolve) => server.close(resolve)), socket?.close()]);
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
      ...(socket === undefined ? {} : { socket: socket.path }),
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
