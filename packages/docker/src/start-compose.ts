// startCompose(): a compose project whose fixed host ports are checked before `up`: a held
// port fails naming its holder, or is remapped to a free one through a generated compose
// file. down() removes everything through the Engine API at once: no stop grace period.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type Docker from 'dockerode';
import { parse, stringify } from 'yaml';
import { RebindError, createLogger } from '@rebind/core';
import { indentOutput, invalidOption, isLoopback, runOnce } from '@rebind/core/internal';
import type { PortLease } from '@rebind/core';
import { allocateHostPort } from './allocate-host-port.js';
import { addLabels, composePorts, setPublished } from './compose-ports.js';
import { connectDocker } from './connect-docker.js';
import { describeHolder, findPortHolder, fixFor } from './find-port-holder.js';
import { guardContainer } from './guard-container.js';
import { removeContainer } from './launch-container.js';
import type { RemappedPort } from './launch-container.js';
import { ensureStaleSweep } from './start-container.js';
import { labelKeys, ownerLabels, sessionId } from './session.js';
import { waitReady } from './wait-ready.js';
import { validateComposeOptions } from './validate-compose-options.js';

export interface StartComposeOptions {
  /** The compose files, as `docker-compose -f` takes them. */
  readonly files: readonly string[];
  /** @default `rebind-<session>-<n>` */
  readonly projectName?: string;
  /** A fixed host port already held: `'fail'` (REBIND_PORT_IN_USE naming the holder) or `'remap'`. @default 'fail' */
  readonly onPortConflict?: 'fail' | 'remap';
  /** Where relative paths in the files resolve. @default the first file's directory */
  readonly cwd?: string;
  /** The engine, as `DOCKER_HOST` spells it. @default process.env.DOCKER_HOST */
  readonly dockerHost?: string;
  /** Deadline for `up` and readiness (every published port listening inside its container), in ms. @default 60000 */
  readonly timeout?: number;
}

export interface StartedCompose {
  readonly projectName: string;
  /** The address published ports are reached at. */
  readonly host: string;
  /** Fixed host ports that were held and replaced. `containerPort` is the service's target port. */
  readonly remappedPorts: readonly (RemappedPort & { readonly service: string })[];
  port(service: string, containerPort: number): number;
  url(service: string, containerPort: number, path?: string): string;
  /** Removes the project's containers, networks and anonymous volumes; idempotent. */
  down(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

let projects = 0;

async function run(args: readonly string[], env: NodeJS.ProcessEnv, cwd: string): Promise<string> {
  const result = await runOnce('docker-compose', args, { env, cwd, maxBuffer: 16 * 1024 * 1024 });
  if (result.failed)
    throw Object.assign(result.error ?? new Error('docker-compose failed'), {
      output: `${result.stderr}${result.stdout}`,
    });
  return result.stdout;
}

async function projectContainers(docker: Docker, project: string): Promise<Docker.ContainerInfo[]> {
  return docker.listContainers({
    all: true,
    filters: { label: [`com.docker.compose.project=${project}`] },
  });
}

export async function startCompose(options: StartComposeOptions): Promise<StartedCompose> {
  validateComposeOptions(options);
  const policy = options.onPortConflict ?? 'fail';
  const timeout = options.timeout ?? 60_000;
  const connection = await connectDocker({ dockerHost: options.dockerHost });
  const { docker } = connection;
  const local = connection.endpoint.startsWith('unix://');
  const host = local ? '127.0.0.1' : connection.host;
  await ensureStaleSweep(connection);
  const projectName = options.projectName ?? `rebind-${sessionId()}-c${++projects}`.toLowerCase();
  const log = createLogger('compose', projectName);
  const files = options.files.map((f) => resolve(f));
  const cwd = options.cwd ?? join(files[0]!, '..');
  const env = {
    ...process.env,
    DOCKER_HOST: connection.endpoint,
    COMPOSE_PROJECT_NAME: projectName,
  };
  const dir = await mkdtemp(join(tmpdir(), 'rebind-compose-'));
  const leases: PortLease[] = [];
  const remappedPorts: (RemappedPort & { service: string })[] = [];
  const unguards: (() => void)[] = [];
  let down = false;

  const removeAll = async () => {
    const containers = await projectContainers(docker, projectName);
    await Promise.all(containers.map((c) => removeContainer(docker, c.Id)));
    const networks = await docker.listNetworks({
      filters: { label: [`com.docker.compose.project=${projectName}`] },
    });
    await Promise.all(
      networks.map((n) =>
        docker
          .getNetwork(n.Id)
          .remove()
          .catch(() => {}),
      ),
    );
    for (const unguard of unguards.splice(0)) unguard();
    await Promise.all(leases.splice(0).map((l) => l.release()));
  };

  try {
    const files2 = files.flatMap((f) => ['-f', f]);
    let model: unknown;
    try {
      model = parse(await run([...files2, 'config'], env, cwd));
    } catch (error) {
      throw new RebindError(
        'REBIND_CONFIG_INVALID',
        `docker-compose rejected ${files.join(', ')}:\n${indentOutput(String((error as { output?: string }).output ?? error))}`,
        { cause: error, details: { files } },
      );
    }
    for (const port of composePorts(model)) {
      if (port.published === undefined || port.protocol !== 'tcp') continue;
      const holder = await findPortHolder(docker, port.published, {
        engineIsLocal: local || isLoopback(connection.host),
      });
      if (holder.kind === 'unknown') continue;
      const where = `${port.hostIp ?? '0.0.0.0'}:${port.published}`;
      if (policy === 'fail') {
        throw new RebindError(
          'REBIND_PORT_IN_USE',
          `Compose service ${port.service} asks for host port ${where} (container port ${port.target}), held by ${describeHolder(holder)}. ${fixFor(holder, true)}`,
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
      const lease = await allocateHostPort(port.hostIp ?? '0.0.0.0');
      leases.push(lease);
      setPublished(model, port, lease.port);
      remappedPorts.push({
        service: port.service,
        containerPort: port.target,
        requested: port.published,
        port: lease.port,
        holder: describeHolder(holder),
      });
      log(
        'remapped %s %d -> %d (%s)',
        port.service,
        port.published,
        lease.port,
        describeHolder(holder),
      );
    }
    addLabels(model, { ...ownerLabels(), [labelKeys.handle]: projectName });
    const generated = join(dir, 'docker-compose.rebind.yml');
    // Every string quoted: compose 1.29 reads YAML 1.1 (an ISO date or `on` would change type).
    await writeFile(
      generated,
      stringify(model, { defaultStringType: 'QUOTE_DOUBLE', defaultKeyType: 'PLAIN' }),
    );
    try {
      await run(
        ['-p', projectName, '-f', generated, 'up', '-d', '--no-color', '--remove-orphans'],
        env,
        cwd,
      );
    } catch (error) {
      throw new RebindError(
        'REBIND_CONTAINER_FAILED',
        `docker-compose up failed for project ${projectName}:\n${indentOutput(String((error as { output?: string }).output ?? error))}`,
        { cause: error, details: { projectName } },
      );
    }
    const containers = await projectContainers(docker, projectName);
    for (const c of containers) unguards.push(await guardContainer(connection, c.Id));
    const deadline = performance.now() + timeout;
    await Promise.all(
      containers.map(async (c) => {
        const info = await docker.getContainer(c.Id).inspect();
        const ports = new Map<number, number>();
        for (const p of c.Ports)
          if (p.PublicPort !== undefined && p.Type === 'tcp')
            ports.set(p.PrivatePort, p.PublicPort);
        await waitReady(ports.size > 0 ? 'listening' : 'started', {
          docker,
          id: c.Id,
          name: (c.Names[0] ?? c.Id).replace(/^\//, ''),
          pid: info.State.Pid,
          host,
          ports,
          timeout: Math.max(0, deadline - performance.now()),
          totalTimeout: timeout,
          signal: undefined,
        });
      }),
    );
    log('up: %d containers', containers.length);
    const published = new Map<string, number>();
    for (const c of containers) {
      const service = c.Labels['com.docker.compose.service'] ?? '';
      for (const p of c.Ports)
        if (p.PublicPort !== undefined) published.set(`${service}:${p.PrivatePort}`, p.PublicPort);
    }
    const portOf = (service: string, containerPort: number) => {
      const port = published.get(`${service}:${containerPort}`);
      if (port === undefined) {
        throw invalidOption(
          'service and containerPort',
          `a published port (${[...published.keys()].join(', ') || 'none'})`,
          `${service}:${containerPort}`,
        );
      }
      return port;
    };
    const handle: StartedCompose = {
      projectName,
      host,
      remappedPorts,
      port: portOf,
      url: (service, containerPort, path = '/') =>
        `http://${host}:${portOf(service, containerPort)}${path}`,
      async down() {
        if (down) return;
        down = true;
        await removeAll();
        await rm(dir, { recursive: true, force: true });
      },
      async [Symbol.asyncDispose]() {
        await handle.down();
      },
    };
    return handle;
  } catch (error) {
    await removeAll().catch(() => {});
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
}
