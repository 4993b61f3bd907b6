import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { isRebindError } from '@rebind/core';
import { connectDocker, parseDockerHost } from './connect-docker.js';

describe('parseDockerHost', () => {
  it('reads unix, tcp and ssh addresses', () => {
    expect(parseDockerHost(undefined)).toMatchObject({
      endpoint: 'unix:///var/run/docker.sock',
      host: '127.0.0.1',
    });
    expect(parseDockerHost('unix:///tmp/d.sock').options).toEqual({ socketPath: '/tmp/d.sock' });
    expect(parseDockerHost('tcp://127.0.0.2:2375')).toMatchObject({
      host: '127.0.0.2',
      options: { host: '127.0.0.2', port: 2375, protocol: 'http' },
    });
    expect(parseDockerHost('ssh://me@build.example:2222')).toMatchObject({
      host: 'build.example',
      options: { username: 'me', port: 2222, protocol: 'ssh' },
    });
    expect(() => parseDockerHost('ftp://x')).toThrow(
      'Expected `DOCKER_HOST` to be a unix://, tcp:// or ssh:// address, got `ftp://x` (string).',
    );
  });
});

describe('parseDockerHost over ssh://', () => {
  const saved = process.env.SSH_AUTH_SOCK;
  afterEach(() => {
    if (saved === undefined) delete process.env.SSH_AUTH_SOCK;
    else process.env.SSH_AUTH_SOCK = saved;
  });

  it('authenticates with the ssh agent at SSH_AUTH_SOCK, read when connecting', () => {
    process.env.SSH_AUTH_SOCK = '/tmp/agent.sock';
    expect(parseDockerHost('ssh://root@10.0.0.1').options).toEqual({
      host: '10.0.0.1',
      port: 22,
      username: 'root',
      protocol: 'ssh',
      sshOptions: { agent: '/tmp/agent.sock' },
    });
    delete process.env.SSH_AUTH_SOCK;
    expect(parseDockerHost('ssh://root@10.0.0.1').options).not.toHaveProperty('sshOptions');
  });
});

describe('connectDocker', () => {
  it('says which engine does not answer and how to start one', async () => {
    const error: unknown = await connectDocker({
      dockerHost: 'unix:///nonexistent/docker.sock',
      timeout: 1000,
    }).catch((e: unknown) => e);
    expect(isRebindError(error, 'REBIND_DOCKER_UNAVAILABLE')).toBe(true);
    expect((error as Error).message).toMatch(
      /^No Docker engine answers at unix:\/\/\/nonexistent\/docker\.sock \(.*ENOENT.*\)\. Start one/,
    );
  });

  it("keeps `timeout` for the ping only: a later request waits for a slow engine's answer", async () => {
    // an engine stand-in on a unix socket: pings at once, answers an inspect after `timeout`
    const dir = mkdtempSync(join(tmpdir(), 'rebind-slow-engine-'));
    const socketPath = join(dir, 'docker.sock');
    const server = createServer((req, res) => {
      const answer = (body: unknown) => {
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify(body));
      };
      if (req.url === '/_ping') res.end('OK');
      else if (req.url === '/info') answer({ Name: hostname() });
      else setTimeout(() => answer({ Id: 'slow' }), 2500);
    });
    await new Promise<void>((resolve) => server.listen(socketPath, resolve));
    try {
      const { docker } = await connectDocker({ dockerHost: `unix://${socketPath}`, timeout: 2000 });
      await expect(docker.getContainer('slow').inspect()).resolves.toEqual({ Id: 'slow' });
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
