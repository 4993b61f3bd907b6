// Crash cleanup: the watchdog of @rebind/core performs
// `DELETE /containers/<id>?force=true&v=true` on the engine when this process dies by any
// means (SIGKILL included). Not available over ssh:// (the watchdog speaks plain HTTP);
// there, removeStaleContainers() at the next start is the only clean-up.
import { getWatchdog } from '@rebind/core';
import type { DockerConnection } from './connect-docker.js';
import { parseDockerHost } from './connect-docker.js';

export async function guardContainer(
  connection: DockerConnection,
  id: string,
): Promise<() => void> {
  const { options } = parseDockerHost(connection.endpoint);
  const path = `/containers/${id}?force=true&v=true`;
  if (options.socketPath !== undefined) {
    return (await getWatchdog()).guardRequest({
      socketPath: options.socketPath,
      method: 'DELETE',
      path,
    });
  }
  if (options.protocol === 'http' && typeof options.host === 'string') {
    return (await getWatchdog()).guardRequest({
      host: options.host,
      port: Number(options.port),
      method: 'DELETE',
      path,
    });
  }
  return () => {};
}
