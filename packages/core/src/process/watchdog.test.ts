import { spawn } from 'node:child_process';
import { createServer as createHttpServer } from 'node:http';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { allocatePort } from '../allocate/allocate-port.js';
import type { PortLease } from '../allocate/port-lease.js';
import { isRunning } from '../proc/process-tree.js';

const dist = fileURLToPath(new URL('../../dist/index.js', import.meta.url));
const fixture = fileURLToPath(new URL('../../fixtures/ignore-sigterm.js', import.meta.url));

const leases: PortLease[] = [];
afterEach(async () => {
  await Promise.all(leases.splice(0).map((lease) => lease.release()));
});
async function freePort(): Promise<number> {
  const lease = await allocatePort({ host: '127.0.0.1' });
  leases.push(lease);
  return lease.port;
}

// An owner script: starts a server through the built package, prints its pid, waits.
const owner = `
const { startProcess } = await import(${JSON.stringify(dist)});
const proc = await startProcess({ command: process.execPath, args: [${JSON.stringify(fixture)}, process.argv[1]], ready: { output: 'listening' } });
console.log(proc.pid);
if (process.argv[2] === 'exit') process.exit(0);
setInterval(() => {}, 1000);
`;

function startOwner(mode: 'kill' | 'exit'): Promise<{ ownerPid: number; serverPid: number }> {
  return freePort().then(
    (port) =>
      new Promise((resolve, reject) => {
        const child = spawn(
          process.execPath,
          ['--input-type=module', '-e', owner, String(port), mode],
          {
            stdio: ['ignore', 'pipe', 'inherit'],
          },
        );
        child.stdout.setEncoding('utf8');
        child.stdout.once('data', (line: string) =>
          resolve({ ownerPid: child.pid ?? 0, serverPid: Number(line.trim()) }),
        );
        child.once('error', reject);
      }),
  );
}

describe('the watchdog', () => {
  it('SIGKILLs what a SIGKILLed owner started (a server that ignores SIGTERM) within 1 s', async () => {
    const { ownerPid, serverPid } = await startOwner('kill');
    expect(isRunning(serverPid)).toBe(true);
    process.kill(ownerPid, 'SIGKILL');
    await expect.poll(() => isRunning(serverPid), { timeout: 1000, interval: 20 }).toBe(false);
  });

  it('cleans up when the owner exits without stopping what it started', async () => {
    const { serverPid } = await startOwner('exit');
    await expect.poll(() => isRunning(serverPid), { timeout: 1000, interval: 20 }).toBe(false);
  });

  it('performs a guarded request when the owner is SIGKILLed', async () => {
    const seen: string[] = [];
    const server = createHttpServer((req, res) => {
      seen.push(`${req.method} ${req.url}`);
      res.end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    try {
      const script = `
        const { getWatchdog } = await import(${JSON.stringify(dist)});
        const watchdog = await getWatchdog();
        watchdog.guardRequest({ host: '127.0.0.1', port: ${port}, method: 'DELETE', path: '/containers/abc?force=true&v=true' });
        const unguard = watchdog.guardRequest({ host: '127.0.0.1', port: ${port}, method: 'DELETE', path: '/unguarded' });
        unguard();
        console.log('guarded');
        setInterval(() => {}, 1000);`;
      const owner = spawn(process.execPath, ['--input-type=module', '-e', script], {
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      await new Promise((resolve) => owner.stdout.once('data', resolve));
      owner.kill('SIGKILL');
      const deadline = Date.now() + 5000;
      while (seen.length === 0 && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      expect(seen).toEqual(['DELETE /containers/abc?force=true&v=true']);
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
