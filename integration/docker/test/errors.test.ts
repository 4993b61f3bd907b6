// Every other failure has its own code, and none leaves a container in "Created".
import { afterAll, describe, expect, it } from 'vitest';
import { isRebindError } from '@rebind/core';
import { startContainer } from '@rebind/docker';
import { requireComponent } from '@rebind/test-support';
import { leftovers, removeLeftovers, testLabels } from './support.js';

const busybox = { image: 'rebind/busybox:test', labels: testLabels } as const;

describe.runIf(requireComponent('docker'))('engine refusals and failed starts', () => {
  afterAll(() => {
    expect(removeLeftovers()).toBe(0);
  });

  it('a missing image is REBIND_IMAGE_NOT_FOUND with the command that builds it, never a pull', async () => {
    const error: unknown = await startContainer({ image: 'rebind/nginx:missing' }).catch(
      (e: unknown) => e,
    );
    expect(isRebindError(error, 'REBIND_IMAGE_NOT_FOUND')).toBe(true);
    expect((error as Error).message).toBe(
      'The image rebind/nginx:missing is not on the Docker engine at unix:///var/run/docker.sock. Build it first: docker build or docker load it (rebind never pulls; to pull it yourself: docker pull rebind/nginx:missing).',
    );
  });

  it('an engine refusal is REBIND_CONTAINER_FAILED with the status code and the engine message', async () => {
    const error: unknown = await startContainer({ ...busybox, command: ['/no/such/binary'] }).catch(
      (e: unknown) => e,
    );
    expect(isRebindError(error, 'REBIND_CONTAINER_FAILED')).toBe(true);
    expect((error as Error).message).toMatch(
      /^The Docker engine refused to start container rebind-[\w-]+ \(HTTP 400\): .*exec: "\/no\/such\/binary": stat \/no\/such\/binary: no such file or directory/,
    );
    expect(leftovers()).toEqual([]);
  });

  it('a container that exits before it is ready is REBIND_PROCESS_EXITED with its output', async () => {
    const error: unknown = await startContainer({
      ...busybox,
      command: ['sh', '-c', 'echo cannot open /etc/app.conf >&2; exit 3'],
      ports: [80],
    }).catch((e: unknown) => e);
    expect(isRebindError(error, 'REBIND_PROCESS_EXITED')).toBe(true);
    expect((error as Error).message).toMatch(
      /^Container rebind-[\w-]+ \(id [0-9a-f]{12}\) exited with code 3 before it was ready \(listening\)\. Its output:\n {4}cannot open \/etc\/app\.conf$/,
    );
    expect(leftovers()).toEqual([]);
  });

  it('a container never ready in time is REBIND_START_TIMEOUT, and is removed', async () => {
    const error: unknown = await startContainer({
      ...busybox,
      command: ['sh', '-c', 'echo waiting; sleep 60'],
      ready: { log: /never printed/ },
      timeout: 300,
    }).catch((e: unknown) => e);
    expect(isRebindError(error, 'REBIND_START_TIMEOUT')).toBe(true);
    expect((error as Error).message).toMatch(
      /^Container rebind-[\w-]+ \(id [0-9a-f]{12}\) was not ready \(log \/never printed\/\) within 300 ms\. Its output:\n {4}waiting$/,
    );
    expect(leftovers()).toEqual([]);
  });

  it('ready by log line, and logs() returns the output', async () => {
    await using c = await startContainer({
      ...busybox,
      command: ['sh', '-c', 'echo booting; echo ready-to-serve; exec sleep 60'],
      ready: { log: /ready-to-serve/ },
    });
    expect(await c.logs()).toBe('booting\nready-to-serve\n');
  });

  it("ready by the container's health check", async () => {
    await using c = await startContainer({
      ...busybox,
      ports: [80],
      ready: 'healthcheck',
      createOptions: {
        Healthcheck: {
          Test: ['CMD-SHELL', 'wget -q -O /dev/null http://127.0.0.1:80/ || exit 1'],
          Interval: 100_000_000,
          StartPeriod: 0,
          Retries: 3,
        },
      },
    });
    const { default: Docker } = await import('dockerode');
    const info = await new Docker().getContainer(c.id).inspect();
    expect(info.State.Health?.Status).toBe('healthy');
  });

  it('rejects bad options with execa wording', async () => {
    await expect(startContainer({ image: 'rebind/busybox:test', ports: [70000] })).rejects.toThrow(
      'Expected the `ports[0]` option to be an integer from 1 to 65535, got `70000` (number).',
    );
    await expect(
      // @ts-expect-error: a bad policy on purpose
      startContainer({ image: 'rebind/busybox:test', onPortConflict: 'kill' }),
    ).rejects.toThrow(
      "Expected the `onPortConflict` option to be 'fail', 'remap' or 'wait', got `kill` (string).",
    );
  });
});
