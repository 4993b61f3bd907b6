// Containers of dead rebind sessions: labelled by rebind, started on this machine (same
// boot), by a process that is gone or whose pid now belongs to another process. Only
// those are removed; never a container without rebind's labels, never one of a live
// process, never one started from another machine. On a local engine, the same for the
// containers the engine forgot but its containerd still holds (containerd-orphans.ts).
import { createLogger } from '@rebind/core';
import { connectDocker, type DockerConnection } from './connect-docker.js';
import { removeForgottenContainers } from './containerd-orphans.js';
import { labelKeys, ownershipOf } from './session.js';

export interface RemoveStaleContainersOptions {
  /** The engine, as `DOCKER_HOST` spells it. @default process.env.DOCKER_HOST */
  readonly dockerHost?: string;
}

export interface RemovedContainer {
  readonly id: string;
  readonly name: string;
  readonly image: string;
  /** Why its session is dead: "pid 123 is gone". */
  readonly why: string;
}

const log = createLogger('docker', 'stale');

export async function removeStaleOn(connection: DockerConnection): Promise<RemovedContainer[]> {
  const { docker } = connection;
  const listed = await docker.listContainers({
    all: true,
    filters: { label: [labelKeys.session] },
  });
  const removed: RemovedContainer[] = [];
  await Promise.all(
    listed.map(async (c) => {
      const ownership = ownershipOf(c.Labels);
      if (ownership.kind !== 'dead-session') return;
      try {
        await docker.getContainer(c.Id).remove({ force: true, v: true });
      } catch (error) {
        if ((error as { statusCode?: number }).statusCode !== 404) {
          log('could not remove stale %s: %s', c.Id, String(error));
          return;
        }
      }
      const name = (c.Names[0] ?? c.Id).replace(/^\//, '');
      log('removed %s (%s): %s', name, c.Id.slice(0, 12), ownership.why);
      removed.push({ id: c.Id, name, image: c.Image, why: ownership.why });
    }),
  );
  const forgotten = await removeForgottenContainers(connection, (owner) => {
    const ownership = ownershipOf(owner);
    return ownership.kind === 'dead-session' ? ownership.why : undefined;
  });
  for (const c of forgotten)
    removed.push({ id: c.id, name: c.hostname, image: '', why: `${c.why} (in containerd only)` });
  return removed;
}

/** Removes the containers left behind by rebind processes that died; returns them. */
export async function removeStaleContainers(
  options: RemoveStaleContainersOptions = {},
): Promise<RemovedContainer[]> {
  return removeStaleOn(await connectDocker({ dockerHost: options.dockerHost }));
}
