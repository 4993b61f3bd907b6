import { allocatePort, type PortLease } from '@rebind/core';

const leases: PortLease[] = [];

/** A loopback port leased from the allocator until {@link releasePorts}. */
export async function freePort(): Promise<number> {
  const lease = await allocatePort({ host: '127.0.0.1' });
  leases.push(lease);
  return lease.port;
}

export async function releasePorts(): Promise<void> {
  await Promise.all(leases.splice(0).map((lease) => lease.release()));
}
