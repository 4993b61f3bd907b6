// A service run as a command (a dev server, the embedded Node HTTP server): core's
// startProcess on a port it leases for the instance's lifetime (its own process group,
// guarded by the owner's watchdog), restarted on the same port by core's restarter (with
// `standby`, each instance on its own leased port: the restart is a swap).
import { startProcess, type ServiceHandle } from '@rebind/core';
import { optionsOf } from './declaration.js';
import type { StartContext } from './service-instance.js';

export function startCommandService({ service }: StartContext): Promise<ServiceHandle> {
  const options = optionsOf(service, 'command');
  return startProcess({
    command: options.command,
    args: options.args ?? [],
    cwd: options.cwd,
    env: options.env,
    host: options.host ?? '127.0.0.1',
    port: 'auto',
    standby: service.standby,
    ...(options.readyPath === undefined ? {} : { ready: { http: options.readyPath } }),
    readyTimeout: options.startTimeout ?? 10_000,
  });
}
