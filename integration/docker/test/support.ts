// Shared by the docker integration files: a label on every test container (checked and
// cleaned in afterAll), allocated ports, and a plain GET.
import { execFileSync } from 'node:child_process';
import { createServer } from 'node:net';
import type { Server } from 'node:net';
import { allocatePort } from '@rebind/core';
import type { PortLease } from '@rebind/core';

export const testLabel = 'rebind.integration-test';
export const testLabels = { [testLabel]: `docker-${process.pid}` } as const;

/**
 * A port leased from the allocator (below the ephemeral range, so no outgoing connection
 * takes it meanwhile). The lease lasts for the test file: the kernel frees its lock when
 * the worker exits.
 */
export async function freePort(host = '127.0.0.1'): Promise<number> {
  const lease = await allocatePort({ host: host === '127.0.0.2' ? '0.0.0.0' : host });
  leases.push(lease);
  return lease.port;
}

const leases: PortLease[] = [];

/** A host process (this one) listening on a free loopback port. */
export async function listenOnFreePort(): Promise<{ server: Server; port: number }> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const address = server.address();
  return { server, port: typeof address === 'object' && address ? address.port : 0 };
}

/** Containers carrying this run's test label, any state. */
export function leftovers(label = `${testLabel}=${testLabels[testLabel]}`): string[] {
  return execFileSync('docker', ['ps', '-aq', '--filter', `label=${label}`], { encoding: 'utf8' })
    .split('\n')
    .filter(Boolean);
}

/** Removes this run's test containers; returns how many there were. */
export function removeLeftovers(): number {
  const ids = leftovers();
  if (ids.length > 0) execFileSync('docker', ['rm', '-f', ...ids], { stdio: 'ignore' });
  return ids.length;
}

export async function text(url: string): Promise<string> {
  const response = await fetch(url, { signal: AbortSignal.timeout(5000) });
  return (await response.text()).trim();
}
