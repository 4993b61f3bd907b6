// Shared by the docker integration files: a label on every test container (checked and
// cleaned in afterAll), allocated ports, and a plain GET.
import { execFileSync } from 'node:child_process';
import { createServer } from 'node:net';
import type { Server } from 'node:net';

export const testLabel = 'rebind.integration-test';
export const testLabels = { [testLabel]: `docker-${process.pid}` } as const;

/** A loopback port free right now (until the allocator lands: listen(0) and close). */
export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, host, () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

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
