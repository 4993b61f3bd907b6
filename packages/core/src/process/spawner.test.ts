import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { allocatePort } from '../allocate/allocate-port.js';
import type { PortLease } from '../allocate/port-lease.js';
import { isRunning } from '../proc/process-tree.js';
import { warmSpawner } from './spawner.js';
import { startProcess, type StartedProcess } from './start-process.js';

const dist = fileURLToPath(new URL('../../dist/index.js', import.meta.url));
const spawnerModule = fileURLToPath(new URL('../../dist/process/spawner.js', import.meta.url));
const fixture = fileURLToPath(new URL('../../fixtures/ignore-sigterm.js', import.meta.url));

const leases: PortLease[] = [];
const started: StartedProcess[] = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map((p) => p.stop()));
  await Promise.all(leases.splice(0).map((lease) => lease.release()));
});
async function freePort(): Promise<number> {
  const lease = await allocatePort({ host: '127.0.0.1' });
  leases.push(lease);
  return lease.port;
}

const parentOf = (pid: number) => {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
};
const commandOf = (pid: number) => readFileSync(`/proc/${pid}/cmdline`, 'utf8');

async function startServer(): Promise<StartedProcess> {
  const port = await freePort();
  const proc = await startProcess({
    command: process.execPath,
    args: [fixture, String(port)],
    ready: { output: 'listening' },
    stop: { timeout: 200 },
  });
  started.push(proc);
  return proc;
}

describe.runIf(process.platform === 'linux')('the spawner', () => {
  // Until it is up (a Node process's start-up), commands are spawned by this process.
  beforeAll(() => warmSpawner());

  it('starts a command as its own child, in a process group of its own', async () => {
    const proc = await startServer();
    const spawner = parentOf(proc.pid);
    expect(spawner).not.toBe(process.pid);
    expect(parentOf(spawner)).toBe(process.pid);
    expect(commandOf(spawner)).toContain('spawner-main.js');
    expect(readFileSync(`/proc/${proc.pid}/stat`, 'utf8')).toMatch(
      new RegExp(`\\) \\S+ ${spawner} ${proc.pid} `),
    );
    expect(proc.output()).toContain('listening');
    await proc.stop();
    expect(isRunning(proc.pid)).toBe(false);
  });

  it('killed from outside: its commands are SIGKILLed and reported exited; the next start gets a new spawner', async () => {
    const proc = await startServer();
    const spawner = parentOf(proc.pid);
    process.kill(spawner, 'SIGKILL');
    expect(await proc.exited).toEqual({ code: null, signal: 'SIGKILL' });
    expect(isRunning(proc.pid)).toBe(false);
    await warmSpawner();
    const next = await startServer();
    expect(parentOf(next.pid)).not.toBe(spawner);
    expect(parentOf(parentOf(next.pid))).toBe(process.pid);
  });

  it("SIGKILLs its commands when its owner is SIGKILLed (even with the owner's watchdog off)", async () => {
    const port = await freePort();
    const owner = `
setInterval(() => {}, 1000);
const { startProcess } = await import(${JSON.stringify(dist)});
await (await import(${JSON.stringify(spawnerModule)})).warmSpawner();
const proc = await startProcess({ command: process.execPath, args: [${JSON.stringify(fixture)}, '${port}'], ready: { output: 'listening' }, watchdog: false });
console.log(proc.pid);
`;
    const child = spawn(process.execPath, ['--input-type=module', '-e', owner], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    child.stdout.setEncoding('utf8');
    const serverPid = await new Promise<number>((resolve, reject) => {
      child.stdout.once('data', (line: string) => resolve(Number(line.trim())));
      child.once('exit', (code) => reject(new Error(`the owner exited (${code})`)));
    });
    expect(isRunning(serverPid)).toBe(true);
    child.kill('SIGKILL');
    await expect.poll(() => isRunning(serverPid), { timeout: 2000, interval: 20 }).toBe(false);
  });
});
