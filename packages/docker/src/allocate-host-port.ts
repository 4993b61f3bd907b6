// A free host port for 'auto' and 'remap', leased from the allocator of @rebind/core so no
// other rebind process or worker takes it while the container publishes it. The lease is
// released when the container is removed.
import { allocatePort } from '@rebind/core';
import type { PortLease } from '@rebind/core';

export async function allocateHostPort(host: string, signal?: AbortSignal): Promise<PortLease> {
  return allocatePort({ host, ...(signal === undefined ? {} : { signal }) });
}
