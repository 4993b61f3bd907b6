import { isRebindError, type Logger } from '@rebind/core';
import type { ResolvedService } from './declaration.js';
import { loadDocker } from './load-manager.js';
import { warn } from './warn.js';

/**
 * Removes containers left by crashed earlier runs (the Docker manager's
 * `removeStaleContainers`). Only when a service needs Docker: a run with only processes
 * never touches the engine. Processes of crashed runs need no pass: the core watchdog
 * killed them when their owner died. An engine that does not answer is a warning, not an
 * abort: the services that need it fail with REBIND_DOCKER_UNAVAILABLE when tests ask for
 * them, the others run.
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
  try {
    const removed: unknown = await (fn as () => Promise<unknown>)();
    log('removed stale containers: %o', removed);
  } catch (error) {
    if (!isRebindError(error, 'REBIND_DOCKER_UNAVAILABLE')) throw error;
    warn(`stale containers were not looked for: ${error.message}`);
  }
}
