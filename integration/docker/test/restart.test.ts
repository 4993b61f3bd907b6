// Restarts answer from the new container only: on the same fixed host port (the old
// container's removal and port release finish first), and on fresh ports.
import { afterAll, describe, expect, it } from 'vitest';
import { isRebindError } from '@rebind/core';
import { startContainer } from '@rebind/docker';
import { requireComponent } from '@rebind/test-support';
import { freePort, leftovers, removeLeftovers, testLabels, text } from './support.js';

const nginx = { image: 'rebind/nginx:test', labels: testLabels } as const;

describe.runIf(requireComponent('docker'))('restart', () => {
  afterAll(() => {
    expect(removeLeftovers()).toBe(0);
  });

  it('keeps a fixed host port, and the first answer after each restart is the new container', async () => {
    const port = await freePort();
    await using web = await startContainer({
      ...nginx,
      ports: [{ container: 80, host: port }],
      ready: { http: '/' },
    });
    const seen = new Set([web.token]);
    for (let i = 0; i < 3; i++) {
      const oldId = web.id;
      await web.restart();
      expect(web.portOf(80)).toBe(port);
      expect(web.id).not.toBe(oldId);
      expect(seen.has(web.token)).toBe(false);
      seen.add(web.token);
      expect(await text(web.urlOf(80))).toBe(`rebind-nginx ${web.token}`);
    }
    expect(leftovers()).toEqual([web.id.slice(0, 12)]);
  });

  it("restarts with 'auto' and engine-chosen ports on fresh ports, the old container gone", async () => {
    await using web = await startContainer({
      ...nginx,
      ports: [{ container: 80, host: 'auto' }],
    });
    await using busy = await startContainer({
      image: 'rebind/busybox:test',
      labels: testLabels,
      ports: [80],
    });
    const before = [web.id, busy.id];
    await Promise.all([web.restart(), busy.restart()]);
    expect(await text(web.url)).toBe(`rebind-nginx ${web.token}`);
    expect(await text(busy.url)).toBe('rebind-busybox');
    expect(leftovers().sort()).toEqual([web.id, busy.id].map((id) => id.slice(0, 12)).sort());
    expect(leftovers()).not.toContain(before[0]!.slice(0, 12));
  });

  it('stop() is idempotent, and a stopped handle says so', async () => {
    const web = await startContainer({ ...nginx, ports: [80] });
    const name = web.name;
    await web.stop();
    await web.stop();
    expect(leftovers()).toEqual([]);
    expect(() => web.portOf(80)).toThrow(
      `Container ${name} is not running: it was stopped, or its last restart failed. Start a new one with startContainer().`,
    );
    const error: unknown = await web.restart().catch((e: unknown) => e);
    expect(isRebindError(error, 'REBIND_NOT_RUNNING')).toBe(true);
  });
});
