// A second engine endpoint: DOCKER_HOST=tcp://127.0.0.2:<port>, served by a forwarder to
// the local engine's socket. Published ports and URLs use that engine's host.
import { createConnection, createServer } from 'node:net';
import type { Server, Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isRebindError } from '@rebind/core';
import { startContainer } from '@rebind/docker';
import { requireComponent } from '@rebind/test-support';
import { freePort, removeLeftovers, testLabels, text } from './support.js';

describe.runIf(requireComponent('docker'))('DOCKER_HOST', () => {
  let forwarder: Server;
  const sockets = new Set<Socket>();
  let endpoint = '';
  const saved = process.env.DOCKER_HOST;

  beforeAll(async () => {
    forwarder = createServer((client) => {
      const engine = createConnection('/var/run/docker.sock');
      for (const s of [client, engine]) {
        sockets.add(s);
        s.on('close', () => sockets.delete(s));
        s.on('error', () => {
          client.destroy();
          engine.destroy();
        });
      }
      client.pipe(engine).pipe(client);
    });
    const port = await freePort('127.0.0.2');
    await new Promise<void>((resolve, reject) => {
      forwarder.once('error', reject);
      forwarder.listen(port, '127.0.0.2', resolve);
    });
    endpoint = `tcp://127.0.0.2:${port}`;
  });

  afterAll(async () => {
    if (saved === undefined) delete process.env.DOCKER_HOST;
    else process.env.DOCKER_HOST = saved;
    for (const s of sockets) s.destroy();
    await new Promise((resolve) => forwarder.close(resolve));
    expect(removeLeftovers()).toBe(0);
  });

  it("starts, restarts and stops through the tcp:// endpoint, with URLs on that engine's host", async () => {
    process.env.DOCKER_HOST = endpoint;
    try {
      await using web = await startContainer({
        image: 'rebind/nginx:test',
        labels: testLabels,
        ports: [{ container: 80, host: 'auto' }],
      });
      expect(web.host).toBe('127.0.0.2');
      expect(web.url).toBe(`http://127.0.0.2:${web.portOf(80)}/`);
      expect(await text(web.url)).toBe(`rebind-nginx ${web.token}`);
      await web.restart();
      expect(await text(web.url)).toBe(`rebind-nginx ${web.token}`);
    } finally {
      delete process.env.DOCKER_HOST;
    }
  });

  it('an endpoint that does not answer is REBIND_DOCKER_UNAVAILABLE with how to start one', async () => {
    const port = await freePort();
    const error: unknown = await startContainer({
      image: 'rebind/nginx:test',
      dockerHost: `tcp://127.0.0.1:${port}`,
    }).catch((e: unknown) => e);
    expect(isRebindError(error, 'REBIND_DOCKER_UNAVAILABLE')).toBe(true);
    expect((error as Error).message).toBe(
      `No Docker engine answers at tcp://127.0.0.1:${port} (connect ECONNREFUSED 127.0.0.1:${port}). Start one (as root: bash docker/start-engine.sh, or dockerd &), or point DOCKER_HOST at a running engine.`,
    );
  });
});
