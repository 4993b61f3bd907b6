// Restarts of containers with several published ports, through core's one restart
// mechanism: fixed host ports stay, 'auto' and engine-chosen ones move, a remapped port
// moves like 'auto' afterwards, and a fixed name restarts strictly in order.
import { afterAll, describe, expect, it } from 'vitest';
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

describe.runIf(requireComponent('docker'))('restart with several port slots', () => {
  afterAll(() => {
    expect(removeLeftovers()).toBe(0);
  });

  it("keeps the fixed port, moves the 'auto' one, and lets the engine pick the third anew", async () => {
    const fixed = await freePort();
    await using web = await startContainer({
      ...nginx,
      ports: [{ container: 80, host: fixed }, { container: 81, host: 'auto' }, 82],
      ready: { http: '/' },
    });
    for (let i = 0; i < 3; i++) {
      const before = { auto: web.portOf(81), id: web.id };
      await web.restart();
      expect(web.portOf(80)).toBe(fixed);
      expect(web.portOf(81)).not.toBe(before.auto);
      expect(web.portOf(82)).toBeGreaterThan(0);
      expect(await text(web.urlOf(80))).toBe(`rebind-nginx ${web.token}`);
      expect(leftovers()).toEqual([web.id.slice(0, 12)]);
      expect(web.id).not.toBe(before.id);
    }
  });

  it('moves a remapped port like an auto one afterwards, with no new conflict', async () => {
    const { server, port: held } = await listenOnFreePort();
    try {
      await using web = await startContainer({
        ...nginx,
        ports: [{ container: 80, host: held }],
        onPortConflict: 'remap',
      });
      const seen = new Set([web.portOf(80)]);
      expect(web.remappedPorts.map((r) => [r.requested, r.port])).toEqual([[held, web.portOf(80)]]);
      for (let i = 0; i < 3; i++) {
        const previous = web.portOf(80);
        await web.restart();
        expect(web.portOf(80)).not.toBe(previous);
        expect(web.portOf(80)).not.toBe(held);
        seen.add(web.portOf(80));
        expect(await text(web.urlOf(80))).toBe(`rebind-nginx ${web.token}`);
      }
      expect(seen.size).toBeGreaterThan(1);
      expect(web.remappedPorts).toHaveLength(1);
    } finally {
      server.close();
    }
  });

  it("restarts a fixed-name container in order, keeping its 'auto' port", async () => {
    const name = `rebind-it-slots-${process.pid}`;
    await using web = await startContainer({
      ...nginx,
      name,
      ports: [{ container: 80, host: 'auto' }],
    });
    const port = web.portOf(80);
    for (let i = 0; i < 2; i++) {
      const oldId = web.id;
      await web.restart();
      expect(web.name).toBe(name);
      expect(web.id).not.toBe(oldId);
      expect(web.portOf(80)).toBe(port);
      expect(await text(web.urlOf(80))).toBe(`rebind-nginx ${web.token}`);
    }
    expect(leftovers()).toEqual([web.id.slice(0, 12)]);
  });
});
