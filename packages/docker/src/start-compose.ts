// startCompose(): a compose project whose fixed host ports are checked before `up`: a held
// port fails naming its holder, or is remapped to a free one through a generated compose
// file. restart() is a new `up` through core's one restart mechanism; stop() removes
// everything through the Engine API at once: no stop grace period.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startRestartable } from '@rebind/core';
import { validateComposeOptions } from './validate-compose-options.js';
import { invalidOption, validatePort, validateTimeout } from '@rebind/core/internal';
import {
  removeProject,
  resolveModel,
  upInstance,
  type ComposeContext,
  type ComposeInstance,
} from './compose-project.js';
import { connectDocker } from './connect-docker.js';
import { ensureStaleSweep } from './start-container.js';
import { sessionId } from './session.js';
import {
  StartedComposeHandle,
  type ComposeEndpoint,
  type StartedCompose,
} from './started-compose.js';

export type { ComposeEndpoint, StartedCompose } from './started-compose.js';

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
  /** The published port the handle's `port` and `url` are about. @default the first published port */
  readonly endpoint?: ComposeEndpoint;
  /**
   * Keep the next instance up and ready beside the current one, so that `restart()` is a
   * swap. Each instance is its own project (`<projectName>-<n>`) whose published ports the
   * engine picks, fixed ones included (read them with `port`, `ports` and `portOf`).
   * @default false
   */
  readonly standby?: boolean;
}

let projects = 0;

export async function startCompose(options: StartComposeOptions): Promise<StartedCompose> {
  validateComposeOptions(options);
  if (typeof options !== 'object' || options === null)
    throw invalidOption('options', 'an object', options);
  if (
    !Array.isArray(options.files) ||
    options.files.length === 0 ||
    options.files.some((f) => typeof f !== 'string')
  ) {
    throw invalidOption('files', 'a non-empty array of compose file paths', options.files);
  }
  const policy = options.onPortConflict ?? 'fail';
  if (policy !== 'fail' && policy !== 'remap')
    throw invalidOption('onPortConflict', "'fail' or 'remap'", policy);
  const timeout = validateTimeout(options.timeout ?? 60_000);
  if (options.endpoint !== undefined) {
    const e = options.endpoint as Partial<ComposeEndpoint> | null;
    if (typeof e !== 'object' || e === null || typeof e.service !== 'string')
      throw invalidOption('endpoint', '{ service, port }', options.endpoint);
    validatePort(e.port, 'endpoint.port');
  }
  const context = await composeContext(options, policy, timeout);
  const resolved = await resolveModel(context).catch(async (error: unknown) => {
    await rm(context.dir, { recursive: true, force: true });
    throw error;
  });
  const cleanup = async () => {
    await Promise.all(resolved.leases.map((l) => l.release()));
    await rm(context.dir, { recursive: true, force: true });
  };
  let instances = 0;
  const project = () =>
    context.standby ? `${context.projectName}-${++instances}` : context.projectName;
  try {
    // Without a standby each instance is the same project: the old one is removed first.
    // With one, each is its own project on engine-picked ports, so they may overlap.
    const restartable = await startRestartable<ComposeInstance>(
      {
        name: `compose project ${context.projectName}`,
        strategies: ['wait', 'fresh-port'],
        start: () => upInstance(context, resolved, project()),
        stop: (instance) => removeProject(context, instance.project, instance.unguards),
      },
      {
        host: context.host,
        ports: [],
        strategy: context.standby ? 'fresh-port' : 'wait',
        standby: context.standby,
      },
    );
    return new StartedComposeHandle(
      restartable,
      context.host,
      context.projectName,
      resolved.remappedPorts,
      options.endpoint,
      cleanup,
    );
  } catch (error) {
    await cleanup();
    throw error;
  }
}

async function composeContext(
  options: StartComposeOptions,
  policy: 'fail' | 'remap',
  timeout: number,
): Promise<ComposeContext> {
  const connection = await connectDocker({ dockerHost: options.dockerHost });
  const local = connection.endpoint.startsWith('unix://');
  await ensureStaleSweep(connection);
  const projectName = options.projectName ?? `rebind-${sessionId()}-c${++projects}`.toLowerCase();
  const files = options.files.map((f) => resolve(f));
  return {
    connection,
    engineIsLocal: !connection.remote,
    projectName,
    files,
    cwd: options.cwd ?? join(files[0]!, '..'),
    dir: await mkdtemp(join(tmpdir(), 'rebind-compose-')),
    host: local ? '127.0.0.1' : connection.host,
    env: { ...process.env, DOCKER_HOST: connection.endpoint, COMPOSE_PROJECT_NAME: projectName },
    timeout,
    policy,
    standby: options.standby === true,
  };
}
