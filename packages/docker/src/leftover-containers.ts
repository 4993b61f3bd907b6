// What a run leaves behind: the containers of this process's rebind session still there
// once its handles are stopped, in the engine (by the `rebind.session` label) or in the
// engine's containerd only (by the REBIND_OWNER env: a container the engine forgot, which
// `docker ps -a` never shows). For the runner's summary line; nothing is removed here.
import { connectDocker } from './connect-docker.js';
import { listForgottenContainers } from './containerd-orphans.js';
import { labelKeys, sessionId } from './session.js';

export interface FindLeftoverContainersOptions {
  /** @default process.env.DOCKER_HOST, else the local unix socket */
  readonly dockerHost?: string;
}

export interface LeftoverContainer {
  readonly id: string;
  /** The engine's name for it, or (in containerd only) its hostname token. */
  readonly name: string;
  /** `engine`: `docker ps -a` lists it; `containerd`: only `ctr -n moby containers ls` does. */
  readonly where: 'engine' | 'containerd';
}

/**
 * The containers of this process's session still in the engine or in its containerd.
 * Rejects with REBIND_DOCKER_UNAVAILABLE when no engine answers.
 */
export async function findLeftoverContainers(
  options: FindLeftoverContainersOptions = {},
): Promise<LeftoverContainer[]> {
  const connection = await connectDocker({ dockerHost: options.dockerHost });
  const session = sessionId();
  const listed = await connection.docker.listContainers({
    all: true,
    filters: { label: [`${labelKeys.session}=${session}`] },
  });
  const forgotten = await listForgottenContainers(connection);
  return [
    ...listed.map((c) => ({
      id: c.Id,
      name: (c.Names[0] ?? c.Id).replace(/^\//, ''),
      where: 'engine' as const,
    })),
    ...forgotten
      .filter((c) => c.owner[labelKeys.session] === session)
      .map((c) => ({ id: c.id, name: c.hostname, where: 'containerd' as const })),
  ];
}
