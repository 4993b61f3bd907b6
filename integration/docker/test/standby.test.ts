// A container with a standby: each restart swaps in a container that was started and
// proven ready beside the current one, which no request reached before the swap (counted
// from each container's own request log), and nothing is left after stop or SIGKILL.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { startContainer, type StartedContainer } from '@rebind/docker';
import { requireComponent } from '@rebind/test-support';
import { leftovers, removeLeftovers, testLabel, testLabels, text } from './support.js';

const fixture = fileURLToPath(new URL('../fixtures/own-container.mjs', import.meta.url));
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
// busybox httpd logs every request (`url:/...`) on stderr; it serves the hostname (the token).
const counting = {
  image: 'rebind/busybox:test',
  command: ['sh', '-c', 'cat /etc/hostname > /www/index.html && exec httpd -f -vv -p 80 -h /www'],
  labels: testLabels,
} as const;
const requests = async (c: StartedContainer) => (await c.logs()).match(/url:\//g)?.length ?? 0;

describe.runIf(requireComponent('docker'))('standby', () => {
  afterAll(() => {
    expect(removeLeftovers()).toBe(0);
  });

  for (const host of ['auto', 'random'] as const) {
    it(`swaps in a pristine container at each restart ('${host}' host port)`, async () => {
      const web = await startContainer({
        ...counting,
        ports: [{ container: 80, host }],
        standby: true,
      });
      const seen = new Set<string>();
      try {
        for (let i = 0; i < 4; i++) {
          expect(seen.has(web.id)).toBe(false);
          seen.add(web.id);
          expect(await text(web.url)).toBe(web.token);
          // Once the log shows the test's request it shows any earlier one too: none.
          await vi.waitFor(async () => expect(await requests(web)).toBeGreaterThan(0), {
            timeout: 10_000,
          });
          expect(await requests(web)).toBe(1);
          await sleep(25); // a test's own work, while the next standby starts
          await web.restart();
        }
      } finally {
        await web.stop();
      }
      expect(leftovers()).toEqual([]);
    });
  }

  it('removes the container and its standby of a SIGKILLed owner', async () => {
    const run = `${testLabel}=${testLabels[testLabel]}-standby-kill`;
    const owner = spawn(process.execPath, [fixture, run, 'standby'], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    await new Promise<void>((resolve, reject) => {
      owner.stdout.on('data', () => resolve());
      owner.once('exit', (code) => reject(new Error(`the owner exited early (${code})`)));
    });
    // The current container and its standby.
    for (let i = 0; i < 400 && leftovers(run).length < 2; i++) await sleep(50);
    expect(leftovers(run)).toHaveLength(2);
    const exited = new Promise((resolve) => owner.once('exit', resolve));
    owner.kill('SIGKILL');
    await exited;
    for (let i = 0; i < 200 && leftovers(run).length > 0; i++) await sleep(50);
    expect(leftovers(run)).toEqual([]);
  });

  it('is refused with a fixed name or a fixed host port, naming the fix', async () => {
    await expect(
      startContainer({ ...counting, name: 'web', ports: [80], standby: true }),
    ).rejects.toThrow(
      "The `standby` option of startContainer cannot be used with a fixed `name` (`web`): two containers cannot share a name. Drop `name` and publish every port with `host: 'auto'` or `'random'` (the default), or drop `standby`.",
    );
    await expect(
      startContainer({ ...counting, ports: [{ container: 80, host: 18080 }], standby: true }),
    ).rejects.toThrow(
      "The `standby` option of startContainer cannot be used with a fixed host port (`{ container: 80, host: 18080 }`): the standby and the current container would both need it. Drop `name` and publish every port with `host: 'auto'` or `'random'` (the default), or drop `standby`.",
    );
  });
});
