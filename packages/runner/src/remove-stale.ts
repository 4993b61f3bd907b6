import type { Logger } from '@rebind/core';
import type { ResolvedService } from './declaration.js';
import { loadDocker } from './load-manager.js';

/**
 * Removes containers left by crashed earlier runs (the Docker manager's
 * `removeStaleContainers`). Only when a service needs Docker: a run with only processes
 * never touches the engine. Processes of crashed runs need no pass: the core watchdog
 * killed them when their owner died.
 */
export async function removeStale(
  services: readonly ResolvedService[],
  log: Logger,
): Promise<void> {
  const docker = services.find((s) => s.kind === 'container' || s.kind === 'compose');
  if (docker === undefined) return;
  const mod = (await loadDocker(docker)) as unknown as Record<string, unknown>;
  const fn = mod.removeStaleContainers;
  if (typeof fn !== 'function') {
    log('removeStaleContainers is not available in this @rebind/docker; skipped');
    return;
  }
  const removed: unknown = await (fn as () => Promise<unknown>)();
  log('removed stale containers: %o', removed);
}
