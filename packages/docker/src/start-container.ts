// startContainer(): a container whose published ports restart cleanly, with readiness
// proven from the new instance, and which never outlives its owner.
import { isIP } from 'node:net';
import type Docker from 'dockerode';
import { startRestartable } from '@rebind/core';
import { validateContainerOptions } from './validate-container-options.js';
import {
  invalidOption,
  isLoopback,
  validatePort,
  validateSignal,
  validateTimeout,
} from '@rebind/core/internal';
import type { RestartPlan } from '@rebind/core';
import { allocateHostPort } from './allocate-host-port.js';
import { connectDocker } from './connect-docker.js';
import type { DockerConnection } from './connect-docker.js';
import { HandleContainers } from './handle-containers.js';
import { launchInstance, removeContainer } from './launch-container.js';
import type {
  HostPortRequest,
  Instance,
  LaunchSpec,
  PlannedPort,
  PortConflictPolicy,
  RemappedPort,
} from './launch-container.js';
import { removeStaleOn } from './remove-stale-containers.js';
import { sessionId } from './session.js';
import { StartedContainerHandle, type StartedContainer } from './started-container.js';

export type { StartedContainer } from './started-container.js';
import type { ReadyCheck } from './wait-ready.js';

export interface PortMapping {
  /** The port inside the container. */
  readonly container: number;
  /**
   * The host port: a number (fixed), `'auto'` (a free port rebind allocates; on a remote
   * engine, the engine picks it) or `'random'` (the engine picks one).
   * @default 'random'
   */
  readonly host?: HostPortRequest;
}

export interface StartContainerOptions {
  /** The image, already on the engine (rebind never pulls). */
  readonly image: string;
  /** Replaces the image's CMD. */
  readonly command?: readonly string[];
  readonly env?: Readonly<Record<string, string>>;
  /** Container ports to publish: a number (the engine picks the host port) or a mapping. */
  readonly ports?: readonly (number | PortMapping)[];
  /** When the container counts as ready. @default 'listening' with ports, else 'started' */
  readonly ready?: ReadyCheck;
  /**
   * What to do when a fixed host port is held: `'fail'` (REBIND_PORT_IN_USE naming the
   * holder), `'remap'` (use a free port instead, see `remappedPorts`), `'wait'` (wait for
   * this process's own previous container to be removed; a foreign holder fails at once).
   * @default 'fail'
   */
  readonly onPortConflict?: PortConflictPolicy;
  /** Extra labels; rebind adds `rebind.session`, `rebind.owner-pid`, `rebind.started-at`... */
  readonly labels?: Readonly<Record<string, string>>;
  /** The container name. @default `rebind-<session>-<n>`, a new one per instance */
  readonly name?: string;
  /**
   * The host address ports are published on.
   * @default '127.0.0.1' (for a remote engine: its loopback address if DOCKER_HOST names one, else '0.0.0.0')
   */
  readonly hostIp?: string;
  /** The engine, as `DOCKER_HOST` spells it. @default process.env.DOCKER_HOST */
  readonly dockerHost?: string;
  /** Raw Engine API create options merged under rebind's (mounts, user...). */
  readonly createOptions?: Partial<Docker.ContainerCreateOptions>;
  /** Start (and each restart) deadline, in milliseconds. @default 30000 */
  readonly timeout?: number;
  /**
   * Keep the next container created, started and proven ready (on its own host ports:
   * every port `'auto'` or engine-chosen, no fixed `name`): `restart()` swaps it in and
   * removes the old one in the background. One more container runs while the handle lives.
   * @default false
   */
  readonly standby?: boolean;
  readonly signal?: AbortSignal;
}

/** A "lease" of port 0: the engine picks the host port when the container starts. */
const enginePicks = () => Promise.resolve({ port: 0, release: () => Promise.resolve() });

const staleSweeps = new Map<string, Promise<unknown>>();
let handleCount = 0;

/** Removes dead sessions' containers once per engine and process, before the first start. */
export async function ensureStaleSweep(connection: DockerConnection): Promise<void> {
  if (!staleSweeps.has(connection.endpoint)) {
    staleSweeps.set(
      connection.endpoint,
      removeStaleOn(connection).catch(() => []),
    );
  }
  await staleSweeps.get(connection.endpoint);
}

function normalisePorts(ports: unknown): Map<number, HostPortRequest> {
  if (ports === undefined) return new Map();
  if (!Array.isArray(ports))
    throw invalidOption(
      'ports',
      'an array of container ports or { container, host } mappings',
      ports,
    );
  const map = new Map<number, HostPortRequest>();
  for (const [i, entry] of (ports as unknown[]).entries()) {
    if (typeof entry === 'number') {
      map.set(validatePort(entry, `ports[${i}]`), 'random');
      continue;
    }
    if (typeof entry !== 'object' || entry === null)
      throw invalidOption(`ports[${i}]`, 'a container port or { container, host }', entry);
    const { container, host } = entry as PortMapping;
    validatePort(container, `ports[${i}].container`);
    if (host !== undefined && host !== 'auto' && host !== 'random')
      validatePort(host, `ports[${i}].host`);
    map.set(container, host ?? 'random');
  }
  return map;
}

/** Removes an instance's container, then releases its leases (kept when the removal failed). */
function removerOf(tracked: HandleContainers): (instance: Instance) => Promise<void> {
  return async (instance) => {
    try {
      await removeContainer(tracked.connection.docker, instance.id);
    } catch (error) {
      throw await tracked.failed(error, `remove container ${instance.name}`);
    }
    tracked.removed(instance.id);
    await instance.release();
  };
}

/**
 * Where ports are published (`hostIp`) and where they are reached from here (`host`): a
 * local engine's loopback address; a remote engine's own address (its URL's host).
 */
function publishAddresses(
  connection: DockerConnection,
  asked: string | undefined,
): { hostIp: string; host: string } {
  const local = connection.endpoint.startsWith('unix://');
  const hostIp =
    asked ??
    (local
      ? '127.0.0.1'
      : isIP(connection.host) !== 0 && isLoopback(connection.host)
        ? connection.host
        : '0.0.0.0');
  const host = !local
    ? connection.host
    : hostIp === '0.0.0.0'
      ? '127.0.0.1'
      : hostIp === '::'
        ? '::1'
        : hostIp;
  return { hostIp, host };
}

/** The checks beyond the schema's (kept for callers that bypass the types). */
function checkStartOptions(options: StartContainerOptions): void {
  validateContainerOptions(options);
  if (typeof options !== 'object' || options === null)
    throw invalidOption('options', 'an object', options);
  if (typeof options.image !== 'string' || options.image === '')
    throw invalidOption('image', 'a non-empty string', options.image);
  const policy = options.onPortConflict ?? 'fail';
  if (!['fail', 'remap', 'wait'].includes(policy))
    throw invalidOption('onPortConflict', "'fail', 'remap' or 'wait'", policy);
  if (options.hostIp !== undefined && isIP(options.hostIp) === 0)
    throw invalidOption('hostIp', 'an IP address', options.hostIp);
  if (options.name !== undefined && !/^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/.test(options.name)) {
    throw invalidOption('name', 'a container name ([a-zA-Z0-9][a-zA-Z0-9_.-]*)', options.name);
  }
}

export async function startContainer(options: StartContainerOptions): Promise<StartedContainer> {
  checkStartOptions(options);
  const ports = normalisePorts(options.ports);
  const standby = options.standby === true;
  const policy = options.onPortConflict ?? 'fail';
  const timeout = validateTimeout(options.timeout ?? 30_000);
  const signal = validateSignal(options.signal);

  const connection: DockerConnection = await connectDocker({ dockerHost: options.dockerHost });
  const engineIsLocal = !connection.remote;
  const { hostIp, host } = publishAddresses(connection, options.hostIp);
  await ensureStaleSweep(connection);

  const handleId = `${sessionId()}-${++handleCount}`;
  let instances = 0;
  const nextName = () => options.name ?? `rebind-${handleId}-${++instances}`;
  const spec: Omit<LaunchSpec, 'name' | 'ports'> = {
    connection,
    engineIsLocal,
    enginePicksPorts: connection.remote,
    image: options.image,
    command: options.command,
    env: options.env ?? {},
    labels: options.labels ?? {},
    handleId,
    hostIp,
    host,
    ready: options.ready ?? (ports.size > 0 ? 'listening' : 'started'),
    onPortConflict: policy,
    timeout,
    signal,
    createOptions: options.createOptions ?? {},
  };
  const containerPorts = [...ports.keys()];
  const remappedPorts: RemappedPort[] = [];
  const tracked = new HandleContainers(connection, handleId);
  const remove = removerOf(tracked);
  // Restarts go through core's one mechanism. Each container port is a slot: fixed host
  // ports stay (core removes the old container first, and with `overlapWait` the new one is
  // created meanwhile and started once the removal finished); 'auto', engine-chosen and
  // remapped ports (never the ones asked for) move, so with only those the new container
  // starts while the old one is removed. A fixed name cannot be shared: 'wait', no overlap.
  const restartable = await startRestartable<Instance>(
    {
      name: `container of ${options.image}`,
      strategies: ['wait', 'fresh-port'],
      overlapWait: options.name === undefined,
      start: async (plan: RestartPlan) => {
        const planned = new Map<number, PlannedPort>(
          containerPorts.map((c, i) => [
            c,
            { port: plan.ports[i] ?? 0, fixed: plan.fixed[i] ?? false },
          ]),
        );
        await tracked.sweep();
        const name = nextName();
        const instance = await launchInstance({
          ...spec,
          name,
          ports: planned,
          beforeStart: plan.previousStopped,
        }).catch(async (error: unknown) => {
          throw await tracked.failed(error, `start container ${name}`);
        });
        tracked.started(instance.id);
        remappedPorts.push(...instance.remapped);
        return instance;
      },
      stop: remove,
      portsOf: (instance) => containerPorts.map((c) => instance.ports.get(c)),
      // A remote engine's ports are invisible to this machine's allocator (another host
      // sharing the engine leases from its own): the engine picks them, 'auto' included.
      leasePort: connection.remote ? enginePicks : (h) => allocateHostPort(h, signal),
    },
    {
      host: hostIp,
      ports: containerPorts.map((c) => {
        const request = ports.get(c) ?? 'random';
        return request === 'auto' && connection.remote ? 'random' : request;
      }),
      strategy: options.name === undefined ? 'fresh-port' : 'wait',
      standby,
    },
  );
  return new StartedContainerHandle(restartable, host, connection, remappedPorts, () =>
    tracked.sweep(),
  );
}
