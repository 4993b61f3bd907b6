// Containers of dead rebind sessions: labelled by rebind, started on this machine (same
// boot), by a process that is gone or whose pid now belongs to another process. Only
// those are removed; never a container without rebind's labels, never one of a live
// process, never one started from another machine.
import type Docker from 'dockerode';
import { createLogger } from '@rebind/core';
import { connectDocker } from './connect-docker.js';
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

export async function removeStaleOn(docker: Docker): Promise<RemovedContainer[]> {
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
  return removed;
}

/** Removes the containers left behind by rebind processes that died; returns them. */
export async function removeStaleContainers(
  options: RemoveStaleContainersOptions = {},
): Promise<RemovedContainer[]> {
  const { docker } = await connectDocker({ dockerHost: options.dockerHost });
  return removeStaleOn(docker);
}
