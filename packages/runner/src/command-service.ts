// A service run as a command (a dev server, the embedded Node HTTP server): a port leased
// for the instance's lifetime, supervised by core's startProcess (its own process group,
// guarded by the owner's watchdog), restarted on the same port.
import { allocatePort, startProcess } from '@rebind/core';
import { optionsOf } from './declaration.js';
import type { InstanceAddress, ServiceInstance, StartContext } from './service-instance.js';

export async function startCommandService({ service }: StartContext): Promise<ServiceInstance> {
  const options = optionsOf(service, 'command');
  const host = options.host ?? '127.0.0.1';
  const lease = await allocatePort({ host });
  const port = lease.port;
  try {
    const started = await startProcess({
      command: options.command,
      args: (options.args ?? []).map((a) =>
        a.replaceAll('{port}', String(port)).replaceAll('{host}', host),
      ),
      cwd: options.cwd,
      env: { ...options.env, PORT: String(port), HOST: host },
      ready:
        options.readyPath === undefined
          ? { tcp: port }
          : {
              http: `http://${host.includes(':') ? `[${host}]` : host}:${port}${options.readyPath}`,
            },
      readyTimeout: options.startTimeout ?? 10_000,
    });
    let stopped: Promise<void> | undefined;
    return {
      address: (): InstanceAddress => ({
        host,
        port,
        ports: { [String(port)]: port },
        url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
        pid: started.pid,
      }),
      restart: () => started.restart(),
      stop: () =>
        (stopped ??= (async () => {
          try {
            await started.stop();
          } finally {
            await lease.release();
          }
        })()),
    };
  } catch (error) {
    await lease.release();
    throw error;
  }
}
