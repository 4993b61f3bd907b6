// A free host port for 'auto' and 'remap', leased from the allocator of @rebind/core so no
// other rebind process or worker takes it while the container publishes it. The lease is
// released when the container is removed.
import { allocatePort, isRebindError } from '@rebind/core';
import type { PortLease } from '@rebind/core';

export async function allocateHostPort(host: string, signal?: AbortSignal): Promise<PortLease> {
  const options = signal === undefined ? {} : { signal };
  try {
    return await allocatePort({ host, ...options });
  } catch (error) {
    // An address the allocator does not know as this machine's (127.0.0.2, a remote
    // engine's): a port free on every local address is free there too.
    if (!isRebindError(error, 'REBIND_INVALID_OPTION')) throw error;
    return allocatePort({ host: '0.0.0.0', ...options });
  }
}
