// The containers a run left behind, for the summary's `leftovers:` count: once every
// handle is stopped, the containers of this process's session still in each engine the
// run's container and compose services used, and those only in the engine's containerd
// (the engine forgot them: `docker ps -a` does not show them). Only when a service needs
// Docker; an engine that does not answer is counted as nothing (debug log).
import type { Logger } from '@rebind/core';
import type { ResolvedService } from './declaration.js';
import { loadDocker } from './load-manager.js';

export interface LeftoverContainer {
  readonly id: string;
  readonly name: string;
  /** `engine`: `docker ps -a` lists it; `containerd`: only `ctr -n moby containers ls` does. */
  readonly where: 'engine' | 'containerd';
}

type Find = (options: { dockerHost?: string }) => Promise<LeftoverContainer[]>;

export async function leftoverContainers(
  services: readonly ResolvedService[],
  log: Logger,
): Promise<LeftoverContainer[]> {
  const docker = services.filter((s) => s.kind === 'container' || s.kind === 'compose');
  if (docker.length === 0) return [];
  const mod = (await loadDocker(docker[0] as ResolvedService)) as unknown as Record<
    string,
    unknown
  >;
  const find = mod.findLeftoverContainers as Find | undefined;
  if (typeof find !== 'function') return [];
  const hosts = new Set(
    docker.map((s) => {
      const host = (s.options as { dockerHost?: unknown }).dockerHost;
      return typeof host === 'string' ? host : undefined;
    }),
  );
  const found: LeftoverContainer[] = [];
  for (const dockerHost of hosts)
    try {
      found.push(...(await find(dockerHost === undefined ? {} : { dockerHost })));
    } catch (error) {
      log('leftover containers not looked for on %s: %s', dockerHost ?? 'DOCKER_HOST', error);
    }
  return found;
}
