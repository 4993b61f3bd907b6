// Fails loudly when a Node upgrade removes or changes a private API rebind relies on (each
// has a quiet fallback in use: this test is what notices). See node-internals.ts.
import net from 'node:net';
import { Worker } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import { activeHandles, serverFd, tcpWrapBinding } from './node-internals.js';

const servers: net.Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
});
async function listening(): Promise<net.Server> {
  const server = net.createServer();
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}

describe(`Node ${process.version}'s private APIs rebind uses`, () => {
  it("process.binding('tcp_wrap') binds a TCP handle without listening", () => {
    const wrap = tcpWrapBinding();
    expect(wrap, "process.binding('tcp_wrap') is gone: bind probes now listen").not.toBeNull();
    const handle = new wrap!.TCP(wrap!.socketType);
    try {
      expect(handle.bind('127.0.0.1', 0)).toBe(0);
      const out: Record<string, unknown> = {};
      expect(handle.getsockname(out)).toBe(0);
      expect(out.port).toEqual(expect.any(Number));
    } finally {
      handle.close();
    }
  });

  it('net.Server#_handle.fd is the listening socket fd', async () => {
    const fd = serverFd(await listening());
    expect(
      fd,
      'server._handle.fd is gone: sockets can no longer be handed to children',
    ).toBeGreaterThan(2);
  });

  it('serverFd runs on its own in a worker thread (hold-socket embeds its source)', async () => {
    const code = `
      const { parentPort } = require('node:worker_threads');
      const net = require('node:net');
      const serverFd = ${serverFd.toString()};
      const server = net.createServer().listen(0, '127.0.0.1', () => {
        parentPort.postMessage(serverFd(server));
        server.close();
      });`;
    const worker = new Worker(code, { eval: true });
    const fd = await new Promise((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
    });
    await worker.terminate();
    expect(fd).toBeGreaterThan(2);
  });

  it("process._getActiveHandles() lists this process's listening servers", async () => {
    const server = await listening();
    expect(
      activeHandles().includes(server),
      'process._getActiveHandles is gone: waitForPort may reset connections to this process',
    ).toBe(true);
  });
});
