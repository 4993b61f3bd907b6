// One container instance: create, publish its ports (resolving a conflict by the chosen
// policy), start, prove it ready, or remove it: a failed start never leaves a container
// in "Created".
import { randomBytes } from 'node:crypto';
import type Docker from 'dockerode';
import { RebindError, createLogger } from '@rebind/core';
import type { PortLease } from '@rebind/core';
import { allocateHostPort } from './allocate-host-port.js';
import type { DockerConnection } from './connect-docker.js';
import {
  containerFailed,
  engineFailure,
  imageNotFound,
  isNoSuchImage,
  portConflictIn,
} from './engine-error.js';
import { describeHolder, findPortHolder, fixFor } from './find-port-holder.js';
import { guardContainer } from './guard-container.js';
import { labelKeys, ownerEnv, ownerLabels, ownershipOf } from './session.js';
import { waitReady } from './wait-ready.js';
import type { ReadyCheck } from './wait-ready.js';

export type PortConflictPolicy = 'fail' | 'remap' | 'wait';

/** What a container port asks for on the host: a fixed port, an allocated one, or the engine's pick. */
export type HostPortRequest = number | 'auto' | 'random';

/** A host port of one start, as core's restart plan gives it. */
export interface PlannedPort {
  /** 0: the engine picks. */
  readonly port: number;
  /** Asked for by the user (a conflict follows `onPortConflict`); else a port that may move. */
  readonly fixed: boolean;
}

export interface RemappedPort {
  readonly containerPort: number;
  /** The host port asked for, held by `holder`. */
  readonly requested: number;
  /** The free host port used instead. */
  readonly port: number;
  /** Who held `requested`, as in a REBIND_PORT_IN_USE message. */
  readonly holder: string;
}

export interface LaunchSpec {
  readonly connection: DockerConnection;
  readonly engineIsLocal: boolean;
  /**
   * The engine publishes on another machine: a port that must move (a remap, a leased
   * port taken meanwhile) is the engine's pick, never this machine's allocator's.
   */
  readonly enginePicksPorts: boolean;
  readonly image: string;
  readonly command: readonly string[] | undefined;
  readonly env: Readonly<Record<string, string>>;
  readonly labels: Readonly<Record<string, string>>;
  readonly handleId: string;
  readonly name: string;
  readonly hostIp: string;
  /** The address published ports are reached at from here. */
  readonly host: string;
  /** Container port -> its host port for this start. */
  readonly ports: ReadonlyMap<number, PlannedPort>;
  readonly ready: ReadyCheck;
  readonly onPortConflict: PortConflictPolicy;
  readonly timeout: number;
  readonly signal: AbortSignal | undefined;
  readonly createOptions: Partial<Docker.ContainerCreateOptions>;
  /**
   * Settles when the previous instance is removed and its ports released (core's
   * `plan.previousStopped`): the new container is created meanwhile, but started only
   * after it.
   */
  readonly beforeStart?: Promise<void>;
}

export interface Instance {
  readonly id: string;
  readonly name: string;
  /** The container's hostname: a fresh token per instance, served by rebind/nginx:test. */
  readonly token: string;
  readonly ports: ReadonlyMap<number, number>;
  readonly remapped: readonly RemappedPort[];
  /** Unguards the container and releases the port leases launch took for it (remaps). */
  readonly release: () => Promise<void>;
}

/** Removes a container and waits until the engine has released it (and its ports). */
export async function removeContainer(docker: Docker, id: string): Promise<void> {
  try {
    await docker.getContainer(id).remove({ force: true, v: true });
  } catch (error) {
    const { statusCode, message } = engineFailure(error);
    if (statusCode === 404) return;
    if (statusCode === 409 && /already in progress/.test(message)) {
      await waitRemoved(docker, id);
      return;
    }
    throw containerFailed(`remove container ${id.slice(0, 12)}`, error);
  }
}

async function waitRemoved(docker: Docker, id: string): Promise<void> {
  try {
    await docker.getContainer(id).wait({ condition: 'removed' });
  } catch (error) {
    if (engineFailure(error).statusCode !== 404) throw error;
  }
}

function conflictPort(text: string): number | undefined {
  const port = Number(/(?:Bind for|listen tcp[46]?) \[?[\d.:a-f]*\]?:(\d+)/.exec(text)?.[1]);
  return Number.isInteger(port) ? port : undefined;
}

/**
 * Starts one instance on the planned host ports; on failure, every port lease it took
 * (remaps, replacements) is released. The planned ports' own leases are core's.
 */
export async function launchInstance(spec: LaunchSpec): Promise<Instance> {
  const own = new Map<number, PortLease>();
  try {
    return await launch(spec, own);
  } catch (error) {
    await Promise.all([...own.values()].map((lease) => lease.release()));
    throw error;
  }
}

type Requests = Map<number, PlannedPort>;

/** One launch: the spec, the host port requests (updated on conflicts) and what was leased. */
interface Attempt {
  readonly spec: LaunchSpec;
  readonly requests: Requests;
  readonly own: Map<number, PortLease>;
  readonly remapped: RemappedPort[];
  readonly deadline: number;
  readonly log: (format: string, ...args: unknown[]) => void;
}

const MAX_ATTEMPTS = 10;

async function launch(spec: LaunchSpec, own: Map<number, PortLease>): Promise<Instance> {
  const attempt: Attempt = {
    spec,
    requests: new Map(spec.ports),
    own,
    remapped: [],
    deadline: performance.now() + spec.timeout,
    log: createLogger('docker', spec.name),
  };
  for (let n = 1; ; n++) {
    const token = `rb-${randomBytes(6).toString('hex')}`;
    const container = await create(attempt, token, n);
    if (container === undefined) continue;
    const unguard = await guardContainer(spec.connection, container.id);
    const discard = async () => {
      await removeContainer(spec.connection.docker, container.id);
      unguard();
    };
    try {
      if (n === 1 && spec.beforeStart !== undefined) await spec.beforeStart;
    } catch (error) {
      await discard();
      throw error;
    }
    try {
      await container.start();
    } catch (error) {
      await discard();
      await resolveStartConflict(attempt, error, n);
      continue;
    }
    try {
      return await proveReady(attempt, container, token, unguard);
    } catch (error) {
      await discard();
      throw error;
    }
  }
}

/** A free port for a container port, leased here (and released with the instance). */
async function leaseFor(attempt: Attempt, containerPort: number): Promise<number> {
  if (attempt.spec.enginePicksPorts) return 0;
  const lease = await allocateHostPort(attempt.spec.hostIp, attempt.spec.signal);
  const before = attempt.own.get(containerPort);
  attempt.own.set(containerPort, lease);
  await before?.release();
  return lease.port;
}

/** Creates the container; undefined: its name was taken by a container now gone (retry). */
async function create(
  attempt: Attempt,
  token: string,
  n: number,
): Promise<Docker.Container | undefined> {
  const { spec } = attempt;
  const { docker, endpoint } = spec.connection;
  const owner = ownerLabels();
  const bindings: Record<string, { HostIp: string; HostPort: string }[]> = {};
  const exposed: Record<string, object> = {};
  for (const [containerPort, { port }] of attempt.requests) {
    exposed[`${containerPort}/tcp`] = {};
    bindings[`${containerPort}/tcp`] = [
      { HostIp: spec.hostIp, HostPort: port === 0 ? '' : String(port) },
    ];
  }
  try {
    return await docker.createContainer({
      ...spec.createOptions,
      Image: spec.image,
      name: spec.name,
      Hostname: token,
      ...(spec.command === undefined ? {} : { Cmd: [...spec.command] }),
      Env: [
        ...Object.entries(spec.env).map(([k, v]) => `${k}=${v}`),
        ownerEnv(owner, spec.handleId),
      ],
      Labels: { ...spec.labels, ...owner, [labelKeys.handle]: spec.handleId },
      ExposedPorts: exposed,
      HostConfig: { ...spec.createOptions.HostConfig, PortBindings: bindings },
    });
  } catch (error) {
    const failure = engineFailure(error);
    if (isNoSuchImage(failure)) throw imageNotFound(spec.image, endpoint, error);
    const taken = /already in use by container "?([0-9a-f]{12,64})/.exec(failure.message)?.[1];
    if (failure.statusCode === 409 && taken !== undefined && n < MAX_ATTEMPTS) {
      // The name is taken: by a container of a dead rebind session (remove it), or by
      // this process's previous instance still being removed (wait, if asked).
      const labels = await docker
        .getContainer(taken)
        .inspect()
        .then(
          (i) => i.Config.Labels ?? {},
          () => undefined,
        );
      const ownership = ownershipOf(labels);
      if (labels === undefined) return undefined;
      if (ownership.kind === 'dead-session') {
        await removeContainer(docker, taken);
        return undefined;
      }
      if (ownership.kind === 'this-session' && spec.onPortConflict === 'wait') {
        await waitRemoved(docker, taken);
        return undefined;
      }
    }
    throw containerFailed(`create container ${spec.name} from ${spec.image}`, error);
  }
}

/**
 * A start the engine refused: a host port conflict is resolved (a moving port moves, a
 * fixed one is remapped or waited for, per `onPortConflict`) for another attempt;
 * anything else throws.
 */
async function resolveStartConflict(attempt: Attempt, error: unknown, n: number): Promise<void> {
  const { spec, requests } = attempt;
  const failure = engineFailure(error);
  const conflict = portConflictIn(failure.message);
  if (conflict === undefined) throw containerFailed(`start container ${spec.name}`, error);
  const hostPort = conflictPort(conflict.text);
  const containerPort = [...requests].find(([, r]) => r.port === hostPort)?.[0];
  const request = containerPort === undefined ? undefined : requests.get(containerPort);
  attempt.log('start attempt %d: %s', n, conflict.text);
  if (n >= MAX_ATTEMPTS)
    throw containerFailed(`start container ${spec.name} after ${n} attempts`, error);
  // A leased port taken in between (it moves anyway): take another one.
  if (containerPort !== undefined && request?.fixed === false) {
    requests.set(containerPort, { port: await leaseFor(attempt, containerPort), fixed: false });
    return;
  }
  // A port the engine picked, then found held by a process it does not know: it picks again.
  if (containerPort === undefined && [...requests.values()].some((r) => r.port === 0)) return;
  const { docker } = spec.connection;
  const holder =
    hostPort === undefined
      ? ({ kind: 'unknown' } as const)
      : await findPortHolder(docker, hostPort, { engineIsLocal: spec.engineIsLocal });
  if (spec.onPortConflict === 'remap' && containerPort !== undefined && hostPort !== undefined) {
    const next = await leaseFor(attempt, containerPort);
    attempt.remapped.push({
      containerPort,
      requested: hostPort,
      port: next,
      holder: describeHolder(holder),
    });
    requests.set(containerPort, { port: next, fixed: true });
    attempt.log(
      'remapped container port %d from %d (%s) to %d',
      containerPort,
      hostPort,
      describeHolder(holder),
      next,
    );
    return;
  }
  const ours = holder.kind === 'container' && holder.ownership.kind === 'this-session';
  const where = `${spec.hostIp}:${hostPort ?? '?'}`;
  if (spec.onPortConflict === 'wait' && ours) {
    attempt.log('waiting for the removal of %s, which holds %s', holder.name, where);
    const remaining = attempt.deadline - performance.now();
    const waited = await Promise.race([
      waitRemoved(docker, holder.id).then(() => true),
      new Promise<false>((resolve) => setTimeout(resolve, Math.max(0, remaining), false).unref()),
    ]);
    if (waited) return;
  }
  const policyNote =
    spec.onPortConflict === 'wait'
      ? ours
        ? ` onPortConflict 'wait' waited ${spec.timeout} ms for its removal.`
        : " onPortConflict 'wait' waits only for this process's own previous container, not for this holder."
      : '';
  throw new RebindError(
    'REBIND_PORT_IN_USE',
    `Docker could not publish container port ${containerPort ?? '?'} of ${spec.name} on ${where}: it is held by ${describeHolder(holder)}.${policyNote} ${fixFor(holder)}\n    engine: ${conflict.text}`,
    {
      cause: error,
      details: {
        port: hostPort,
        host: spec.hostIp,
        containerPort,
        holder,
        engineMessage: failure.message,
      },
    },
  );
}

/** Reads the published host ports and waits until the new container is ready. */
async function proveReady(
  attempt: Attempt,
  container: Docker.Container,
  token: string,
  unguard: () => void,
): Promise<Instance> {
  const { spec, own } = attempt;
  const info = await container.inspect();
  const ports = new Map<number, number>();
  for (const containerPort of attempt.requests.keys()) {
    const published = info.NetworkSettings.Ports?.[`${containerPort}/tcp`] ?? [];
    const hostPort = Number(
      published.find((b) => b.HostIp === spec.hostIp)?.HostPort ?? published[0]?.HostPort,
    );
    ports.set(containerPort, hostPort);
  }
  await waitReady(spec.ready, {
    docker: spec.connection.docker,
    id: container.id,
    name: spec.name,
    pid: info.State.Pid,
    host: spec.host,
    ports,
    timeout: Math.max(0, attempt.deadline - performance.now()),
    totalTimeout: spec.timeout,
    signal: spec.signal,
  });
  attempt.log('ready: %s', [...ports].map(([c, h]) => `${c}->${spec.host}:${h}`).join(', '));
  const release = async () => {
    unguard();
    await Promise.all([...own.values()].map((l) => l.release()));
  };
  // A remap to an engine-picked port (port 0) is known only now.
  const remapped = attempt.remapped.map((r) =>
    r.port === 0 ? { ...r, port: ports.get(r.containerPort) ?? 0 } : r,
  );
  return { id: container.id, name: spec.name, token, ports, remapped, release };
}
