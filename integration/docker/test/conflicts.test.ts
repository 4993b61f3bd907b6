// The seed error, `Bind for 127.0.0.1:P failed: port is already allocated`: a container
// holds host port P and a second asks for P. Each policy, and each kind of holder.
import { afterAll, describe, expect, it } from 'vitest';
import { isRebindError } from '@rebind/core';
import { startContainer } from '@rebind/docker';
import { requireComponent } from '@rebind/test-support';
import {
  freePort,
  leftovers,
  listenOnFreePort,
  removeLeftovers,
  testLabels,
  text,
} from './support.js';

const nginx = { image: 'rebind/nginx:test', labels: testLabels } as const;

describe.runIf(requireComponent('docker'))('port conflicts on a fixed host port', () => {
  afterAll(() => {
    expect(removeLeftovers()).toBe(0);
  });

  it("'fail' names the container holding the port, its image, that it is ours, and the fix", async () => {
    const port = await freePort();
    await using first = await startContainer({ ...nginx, ports: [{ container: 80, host: port }] });
    const error: unknown = await startContainer({
      ...nginx,
      name: `rebind-it-second-${process.pid}`,
      ports: [{ container: 80, host: port }],
    }).catch((e: unknown) => e);
    expect(isRebindError(error, 'REBIND_PORT_IN_USE')).toBe(true);
    expect((error as Error).message).toBe(
      `Docker could not publish container port 80 of rebind-it-second-${process.pid} on 127.0.0.1:${port}: it is held by container ${first.name} (id ${first.id.slice(0, 12)}, image rebind/nginx:test), started by this process. Stop it first (await its stop()), wait for its removal (onPortConflict: 'wait'), or let rebind choose another port (onPortConflict: 'remap', or host port 'auto').\n    engine: Bind for 127.0.0.1:${port} failed: port is already allocated`,
    );
    // The failed start left nothing behind, not even a "Created" container.
    expect(leftovers()).toEqual([first.id.slice(0, 12)]);
    expect(await text(first.url)).toBe(`rebind-nginx ${first.token}`);
  });

  it("'remap' publishes on another free port and says which, and who held the asked one", async () => {
    const port = await freePort();
    await using first = await startContainer({ ...nginx, ports: [{ container: 80, host: port }] });
    await using second = await startContainer({
      ...nginx,
      ports: [{ container: 80, host: port }],
      onPortConflict: 'remap',
    });
    expect(second.portOf(80)).not.toBe(port);
    expect(second.remappedPorts).toEqual([
      {
        containerPort: 80,
        requested: port,
        port: second.portOf(80),
        holder: `container ${first.name} (id ${first.id.slice(0, 12)}, image rebind/nginx:test), started by this process`,
      },
    ]);
    expect(await text(second.url)).toBe(`rebind-nginx ${second.token}`);
    expect(await text(first.url)).toBe(`rebind-nginx ${first.token}`);
  });

  it("'wait' waits for our own previous container's removal, then answers from the new one", async () => {
    const port = await freePort();
    const first = await startContainer({ ...nginx, ports: [{ container: 80, host: port }] });
    // The second start is asked for while the first still holds the port: it must neither
    // fail nor remap, but wait until the first is removed.
    let settled = false;
    const starting = startContainer({
      ...nginx,
      ports: [{ container: 80, host: port }],
      onPortConflict: 'wait',
      ready: { http: '/' },
    });
    starting.then(
      () => (settled = true),
      () => (settled = true),
    );
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(settled).toBe(false);
    expect(await text(first.url)).toBe(`rebind-nginx ${first.token}`);
    await first.stop();
    await using second = await starting;
    expect(second.portOf(80)).toBe(port);
    expect(await text(second.url)).toBe(`rebind-nginx ${second.token}`);
  });

  it("'wait' does not wait for a holder that is not ours", async () => {
    // A container started outside rebind (no rebind labels) holds the port.
    const port = await freePort();
    const { execFileSync } = await import('node:child_process');
    const name = `rebind-it-foreign-${process.pid}`;
    execFileSync(
      'docker',
      [
        'run',
        '-d',
        '--name',
        name,
        '--label',
        `${Object.keys(testLabels)[0]}=${Object.values(testLabels)[0]}`,
        '-p',
        `127.0.0.1:${port}:80`,
        'rebind/busybox:test',
      ],
      { stdio: 'ignore' },
    );
    try {
      const error: unknown = await startContainer({
        ...nginx,
        ports: [{ container: 80, host: port }],
        onPortConflict: 'wait',
      }).catch((e: unknown) => e);
      expect(isRebindError(error, 'REBIND_PORT_IN_USE')).toBe(true);
      expect((error as Error).message).toMatch(
        new RegExp(
          `: it is held by container ${name} \\(id [0-9a-f]{12}, image rebind/busybox:test\\), not started by rebind\\. onPortConflict 'wait' waits only for this process's own previous container, not for this holder\\. Stop it if it is yours \\(docker rm -f ${name}\\), or let rebind choose another port`,
        ),
      );
    } finally {
      execFileSync('docker', ['rm', '-f', name], { stdio: 'ignore' });
    }
  });

  it('names a host process holding the port (userland proxy: address already in use)', async () => {
    const { server, port } = await listenOnFreePort();
    try {
      const error: unknown = await startContainer({
        ...nginx,
        ports: [{ container: 80, host: port }],
      }).catch((e: unknown) => e);
      expect(isRebindError(error, 'REBIND_PORT_IN_USE')).toBe(true);
      expect((error as Error).message).toMatch(
        new RegExp(
          `on 127\\.0\\.0\\.1:${port}: it is held by host process pid ${process.pid} \\(.*node.*\\)\\. Stop that process, or let rebind choose another port \\(onPortConflict: 'remap', or host port 'auto'\\)\\.\\n    engine: Error starting userland proxy: listen tcp4 127\\.0\\.0\\.1:${port}: bind: address already in use$`,
        ),
      );
      expect((error as { details: { holder: unknown } }).details.holder).toMatchObject({
        kind: 'process',
        pid: process.pid,
      });
    } finally {
      server.close();
    }
  });

  it('names the container behind a docker-proxy holding 0.0.0.0:P', async () => {
    const port = await freePort();
    await using first = await startContainer({ ...nginx, ports: [{ container: 80, host: port }] });
    const error: unknown = await startContainer({
      ...nginx,
      hostIp: '0.0.0.0',
      ports: [{ container: 80, host: port }],
    }).catch((e: unknown) => e);
    expect((error as Error).message).toContain(
      `0.0.0.0:${port}: it is held by container ${first.name} (id ${first.id.slice(0, 12)}, image rebind/nginx:test), started by this process.`,
    );
  });
});
