// One compose project's model and instances: `docker-compose config` once (fixed host
// ports checked, a held one failing or remapped), then per instance `up` from a generated
// file and readiness, and removal through the Engine API (no stop grace period).
import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type Docker from 'dockerode';
import { parse, stringify } from 'yaml';
import { RebindError, createLogger, type PortLease } from '@rebind/core';
import { indentOutput, runOnce } from '@rebind/core/internal';
import { allocateHostPort } from './allocate-host-port.js';
import { addLabels, clearPublished, composePorts, setPublished } from './compose-ports.js';
import type { DockerConnection } from './connect-docker.js';
import { describeHolder, findPortHolder, fixFor } from './find-port-holder.js';
import { guardContainer } from './guard-container.js';
import { removeContainer, type RemappedPort } from './launch-container.js';
import { publishedPorts } from './published-ports.js';
import { labelKeys, ownerLabels } from './session.js';
import { waitReady } from './wait-ready.js';

/** What one project needs, fixed for its lifetime. */
export interface ComposeContext {
  readonly connection: DockerConnection;
  readonly engineIsLocal: boolean;
  readonly projectName: string;
  readonly files: readonly string[];
  readonly cwd: string;
  /** The temp directory holding the generated compose file. */
  readonly dir: string;
  readonly host: string;
  readonly env: NodeJS.ProcessEnv;
  readonly timeout: number;
  readonly policy: 'fail' | 'remap';
  /**
   * Each instance is its own project (`<projectName>-<n>`) on ports the engine picks, so
   * that the next one can start beside the current one (a standby).
   */
  readonly standby: boolean;
}

export type ComposeRemap = RemappedPort & { readonly service: string };

/**
 * The resolved model, with held fixed ports remapped (leases kept for the project's life).
 * On a remote engine a remapped port has no host port (`port` 0 here): the engine picks
 * one at each `up`, and the instance reports it.
 */
export interface ComposeModel {
  readonly model: unknown;
  readonly leases: readonly PortLease[];
  readonly remappedPorts: readonly ComposeRemap[];
}

/** One `up` of the project. */
export interface ComposeInstance {
  /** The compose project this instance is (`projectName`, or `<projectName>-<n>` with a standby). */
  readonly project: string;
  /** A fresh token per instance (also the containers' `rebind.token` label). */
  readonly token: string;
  readonly containers: readonly string[];
  /** `service:containerPort` -> host port. */
  readonly published: ReadonlyMap<string, number>;
  /** The model's remapped ports, each with the host port this instance got. */
  readonly remappedPorts: readonly ComposeRemap[];
  readonly unguards: readonly (() => void)[];
}

export const tokenLabel = 'rebind.token';

export async function runCompose(
  context: ComposeContext,
  args: readonly string[],
): Promise<string> {
  const result = await runOnce('docker-compose', args, {
    env: context.env,
    cwd: context.cwd,
    maxBuffer: 16 * 1024 * 1024,
  });
  if (result.failed)
    throw Object.assign(result.error ?? new Error('docker-compose failed'), {
      output: `${result.stderr}${result.stdout}`,
    });
  return result.stdout;
}

const outputOf = (error: unknown) => String((error as { output?: string }).output ?? error);

function projectContainers(docker: Docker, project: string): Promise<Docker.ContainerInfo[]> {
  return docker.listContainers({
    all: true,
    filters: { label: [`com.docker.compose.project=${project}`] },
  });
}

/** `docker-compose config`, then each fixed host port checked: a held one fails or is remapped. */
export async function resolveModel(context: ComposeContext): Promise<ComposeModel> {
  const log = createLogger('compose', context.projectName);
  let model: unknown;
  try {
    model = parse(
      await runCompose(context, [...context.files.flatMap((f) => ['-f', f]), 'config']),
    );
  } catch (error) {
    throw new RebindError(
      'REBIND_CONFIG_INVALID',
      `docker-compose rejected ${context.files.join(', ')}:\n${indentOutput(outputOf(error))}`,
      { cause: error, details: { files: context.files } },
    );
  }
  const leases: PortLease[] = [];
  const remappedPorts: ComposeRemap[] = [];
  try {
    for (const port of composePorts(model)) {
      if (port.published === undefined || port.protocol !== 'tcp') continue;
      const holder = await findPortHolder(context.connection.docker, port.published, {
        engineIsLocal: context.engineIsLocal,
      });
      if (holder.kind === 'unknown') continue;
      if (context.policy === 'fail') {
        throw new RebindError(
          'REBIND_PORT_IN_USE',
          `Compose service ${port.service} asks for host port ${port.hostIp ?? '0.0.0.0'}:${port.published} (container port ${port.target}), held by ${describeHolder(holder)}. ${fixFor(holder, true)}`,
          {
            details: {
              port: port.published,
              service: port.service,
              containerPort: port.target,
              holder,
            },
          },
        );
      }
      // A remote engine's ports are invisible to this machine's allocator (another host
      // may hold one there): the engine picks, and each instance reads its pick back.
      let picked = 0;
      if (context.engineIsLocal) {
        const lease = await allocateHostPort(port.hostIp ?? '0.0.0.0');
        leases.push(lease);
        setPublished(model, port, lease.port);
        picked = lease.port;
      } else clearPublished(model, port);
      const remap = {
        service: port.service,
        containerPort: port.target,
        requested: port.published,
        port: picked,
        holder: describeHolder(holder),
      };
      remappedPorts.push(remap);
      log(
        'remapped %s %d -> %s (%s)',
        remap.service,
        remap.requested,
        picked === 0 ? "the engine's pick" : picked,
        remap.holder,
      );
    }
  } catch (error) {
    await Promise.all(leases.map((l) => l.release()));
    throw error;
  }
  return { model, leases, remappedPorts };
}

/**
 * `up` of `project` from a generated file with this instance's labels, then every container
 * proven ready. With a standby every published port is left to the engine (two instances
 * run at once: a fixed host port would be held by the current one).
 */
export async function upInstance(
  context: ComposeContext,
  resolved: ComposeModel,
  project: string,
): Promise<ComposeInstance> {
  const { docker } = context.connection;
  const token = `rb-${randomBytes(6).toString('hex')}`;
  const model: unknown = structuredClone(resolved.model);
  if (context.standby)
    for (const port of composePorts(model))
      if (port.published !== undefined) clearPublished(model, port);
  addLabels(model, {
    ...ownerLabels(),
    [labelKeys.handle]: context.projectName,
    [tokenLabel]: token,
  });
  // One file per project: a standby's `up` may run while the current one's is read.
  const generated = join(context.dir, `${project}.yml`);
  // Every string quoted: compose 1.29 reads YAML 1.1 (an ISO date or `on` would change type).
  await writeFile(
    generated,
    stringify(model, { defaultStringType: 'QUOTE_DOUBLE', defaultKeyType: 'PLAIN' }),
    // Only its owner may read it (a compose file may hold credentials); its dir is 0700.
    { mode: 0o600 },
  );
  const unguards: (() => void)[] = [];
  try {
    await runCompose(context, [
      ...['-p', project, '-f', generated],
      ...['up', '-d', '--no-color', '--remove-orphans'],
    ]);
  } catch (error) {
    await removeProject(context, project, unguards);
    throw new RebindError(
      'REBIND_CONTAINER_FAILED',
      `docker-compose up failed for project ${project}:\n${indentOutput(outputOf(error))}`,
      { cause: error, details: { projectName: project } },
    );
  }
  try {
    const containers = await projectContainers(docker, project);
    for (const c of containers) unguards.push(await guardContainer(context.connection, c.Id));
    await waitAllReady(context, containers);
    const published = publishedOf(containers, context.host);
    const remappedPorts = resolved.remappedPorts.map((r) => ({
      ...r,
      port: published.get(`${r.service}:${r.containerPort}`) ?? r.port,
    }));
    createLogger('compose', project)(
      'up: %d containers%s',
      containers.length,
      remappedPorts.map((r) => `, ${r.service} ${r.requested} -> ${r.port}`).join(''),
    );
    return {
      project,
      token,
      containers: containers.map((c) => c.Id),
      published,
      remappedPorts,
      unguards,
    };
  } catch (error) {
    await removeProject(context, project, unguards);
    throw error;
  }
}

async function waitAllReady(
  context: ComposeContext,
  containers: readonly Docker.ContainerInfo[],
): Promise<void> {
  const { docker } = context.connection;
  const deadline = performance.now() + context.timeout;
  await Promise.all(
    containers.map(async (c) => {
      const info = await docker.getContainer(c.Id).inspect();
      // the port the instance reports (publishedOf), on the address this machine dials
      const ports = publishedPorts(c.Ports, context.host, 'tcp');
      await waitReady(ports.size > 0 ? 'listening' : 'started', {
        docker,
        id: c.Id,
        name: (c.Names[0] ?? c.Id).replace(/^\//, ''),
        pid: info.State.Pid,
        host: context.host,
        ports,
        timeout: Math.max(0, deadline - performance.now()),
        totalTimeout: context.timeout,
        signal: undefined,
      });
    }),
  );
}

function publishedOf(
  containers: readonly Docker.ContainerInfo[],
  host: string,
): Map<string, number> {
  const published = new Map<string, number>();
  for (const c of containers) {
    const service = c.Labels['com.docker.compose.service'] ?? '';
    for (const [containerPort, port] of publishedPorts(c.Ports, host))
      published.set(`${service}:${containerPort}`, port);
  }
  return published;
}

/** Removes every container and network of the project, and drops their guards. */
export async function removeProject(
  context: ComposeContext,
  project: string,
  unguards: readonly (() => void)[],
): Promise<void> {
  const { docker } = context.connection;
  const containers = await projectContainers(docker, project);
  await Promise.all(containers.map((c) => removeContainer(docker, c.Id)));
  const networks = await docker.listNetworks({
    filters: { label: [`com.docker.compose.project=${project}`] },
  });
  await Promise.all(
    networks.map((n) =>
      docker
        .getNetwork(n.Id)
        .remove()
        .catch(() => {}),
    ),
  );
  for (const unguard of unguards) unguard();
}
