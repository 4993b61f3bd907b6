// Containers the engine forgot: a dockerd restarted (or killed) while it started one can
// come back without it while containerd still runs it, so `docker ps -a` and the stale
// sweep never see it. Only for a local engine, as root, with `ctr` installed: the engine's
// containerd namespace is listed, and every container the engine does not know whose OCI
// spec carries rebind's owner env (REBIND_OWNER, the only identity of rebind's that reaches
// containerd) and that `match` accepts (a dead session's, or this handle's) is killed and
// deleted with ctr. Never one without rebind's env. Anything it cannot know: skipped (debug log).
import { createLogger } from '@rebind/core';
import { runOnce } from '@rebind/core/internal';
import type { DockerConnection } from './connect-docker.js';
import { findContainerd, type ContainerdEndpoint } from './containerd-socket.js';
import { labelKeys, ownerFromEnv } from './session.js';

export interface ForgottenContainer {
  readonly id: string;
  /** Its hostname in the spec: rebind's per-instance token. */
  readonly hostname: string;
  readonly owner: Readonly<Record<string, string>>;
}

const log = createLogger('docker', 'containerd');

const ctr = (at: ContainerdEndpoint, args: readonly string[]) =>
  runOnce('ctr', ['--address', at.socket, '--namespace', at.namespace, ...args], {
    timeout: 10_000,
  });

/** The engine's containerd, when this process may and can reach it. */
async function reachable(connection: DockerConnection): Promise<ContainerdEndpoint | undefined> {
  if (!connection.endpoint.startsWith('unix://') || connection.remote) return undefined;
  if (process.getuid?.() !== 0) {
    log('skipped: not root');
    return undefined;
  }
  const at = await findContainerd(connection.endpoint.slice('unix://'.length));
  if (at === undefined) log('skipped: no containerd found behind %s', connection.endpoint);
  return at;
}

/** The containerd containers the engine does not know, with their spec's owner env. */
async function forgotten(
  connection: DockerConnection,
  at: ContainerdEndpoint,
): Promise<ForgottenContainer[] | undefined> {
  // containerd first, the engine second: a container the engine creates in between is
  // in the engine's list; one it removes in between is gone from containerd as well.
  const listed = await ctr(at, ['containers', 'list', '--quiet']);
  if (listed.failed) {
    log('skipped: ctr containers list: %s', listed.errno ?? listed.stderr.trim());
    return undefined;
  }
  const known = new Set((await connection.docker.listContainers({ all: true })).map((c) => c.Id));
  const found: ForgottenContainer[] = [];
  for (const id of listed.stdout.split('\n').filter((l) => l !== '' && !known.has(l))) {
    const info = await ctr(at, ['containers', 'info', id]);
    if (info.failed) continue;
    const spec = (
      JSON.parse(info.stdout) as { Spec?: { hostname?: string; process?: { env?: string[] } } }
    ).Spec;
    const env = spec?.process?.env;
    const owner = ownerFromEnv(env);
    const hostname =
      spec?.hostname ?? env?.find((e) => e.startsWith('HOSTNAME='))?.slice('HOSTNAME='.length);
    if (owner !== undefined) found.push({ id, hostname: hostname ?? '', owner });
  }
  return found;
}

/**
 * Kills and deletes the containers of the engine's containerd that the engine does not
 * know, carry rebind's owner env and satisfy `match`; returns them. Never rejects.
 */
export async function removeForgottenContainers(
  connection: DockerConnection,
  match: (owner: Readonly<Record<string, string>>) => string | undefined,
): Promise<(ForgottenContainer & { readonly why: string })[]> {
  try {
    const at = await reachable(connection);
    const candidates = at === undefined ? undefined : await forgotten(connection, at);
    if (at === undefined || candidates === undefined) return [];
    const removed: (ForgottenContainer & { why: string })[] = [];
    for (const c of candidates) {
      const why = match(c.owner);
      const whose = `session ${c.owner[labelKeys.session]}, handle ${c.owner[labelKeys.handle]}`;
      if (why === undefined) {
        log('left alone %s (%s, %s): not to be removed here', c.id, c.hostname, whose);
        continue;
      }
      log('removing %s (%s, %s), forgotten by the engine: %s', c.id, c.hostname, whose, why);
      // --force: SIGKILL the task and wait for it; fails harmlessly when there is no task.
      await ctr(at, ['tasks', 'delete', '--force', c.id]);
      const deleted = await ctr(at, ['containers', 'delete', c.id]);
      if (deleted.failed) {
        log('could not delete %s (%s): %s', c.id, c.hostname, deleted.stderr.trim());
        continue;
      }
      log('removed %s (%s), forgotten by the engine: %s', c.id, c.hostname, why);
      removed.push({ ...c, why });
    }
    return removed;
  } catch (error) {
    log('skipped: %s', String(error));
    return [];
  }
}

/**
 * The containers of the engine's containerd that the engine does not know and that carry
 * rebind's owner env, removing none. Never rejects: [] when containerd is out of reach.
 */
export async function listForgottenContainers(
  connection: DockerConnection,
): Promise<ForgottenContainer[]> {
  try {
    const at = await reachable(connection);
    return (at === undefined ? undefined : await forgotten(connection, at)) ?? [];
  } catch (error) {
    log('skipped: %s', String(error));
    return [];
  }
}
