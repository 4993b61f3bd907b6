import { spawn } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { allocatePort } from '../allocate/allocate-port.js';
import { holdSocket, type HeldSocket } from './hold-socket.js';
import type { PortLease } from '../allocate/port-lease.js';
import { readAll } from '../../test/helpers.js';

// A child that serves the inherited listening socket (fd 3): "child <pid>" per connection.
const childServer = `
const net = require('node:net');
net.createServer((s) => s.end('child ' + process.pid)).listen({ fd: 3 }, () => console.log('serving'));
`;

const held: HeldSocket[] = [];
const leases: PortLease[] = [];
afterEach(async () => {
  await Promise.all(held.splice(0).map((h) => h.close()));
  await Promise.all(leases.splice(0).map((l) => l.release()));
});

describe('holdSocket', () => {
  it('never accepts itself: connections made before any server runs are answered by the child that inherits the fd', async () => {
    const lease = await allocatePort({ host: '127.0.0.1' });
    leases.push(lease);
    const socket = await holdSocket('127.0.0.1', lease.port);
    held.push(socket);
    expect(socket.port).toBe(lease.port);
    // Queued in the kernel's accept queue: nobody accepts yet.
    const early = Array.from({ length: 20 }, () => readAll(lease.port));
    const child = spawn(process.execPath, ['-e', childServer], {
      stdio: ['ignore', 'pipe', 'inherit', socket.fd],
    });
    try {
      const answers = await Promise.all(early);
      expect(new Set(answers)).toEqual(new Set([`child ${child.pid}`]));
    } finally {
      child.kill('SIGKILL');
      await new Promise((resolve) => child.once('exit', resolve));
    }
  });

  it('closes the socket on close()', async () => {
    const socket = await holdSocket('127.0.0.1', 0);
    await socket.close();
    await expect(readAll(socket.port)).rejects.toThrow(/ECONNREFUSED/);
  });
});
