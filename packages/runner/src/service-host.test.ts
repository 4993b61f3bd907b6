// The host with real processes: the embedded Node HTTP server, three policies.
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { isRebindError } from '@rebind/core';
import { askControl, callControl, TestStarts } from './client.js';
import { startServiceHost, type ServiceHost } from './service-host.js';

const server = fileURLToPath(new URL('../fixtures/http-server.js', import.meta.url));
const command = { command: process.execPath, args: [server], readyPath: '/' };
// Ready once it listens: no request reaches it before a test's (`hits` counts them all).
const untouched = { command: process.execPath, args: [server] };
const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

let host: ServiceHost | undefined;
afterEach(async () => {
  await host?.stop();
  host = undefined;
});

describe('startServiceHost', () => {
  it('restarts per-test instances between tests, keeps per-worker and shared ones, and stops all', async () => {
    host = await startServiceHost({
      services: {
        web: { command },
        api: { command, pristine: 'per-worker' },
        db: { command, pristine: 'shared' },
      },
    });
    const { control } = host.context;
    expect(host.context.policies).toEqual({ web: 'per-test', api: 'per-worker', db: 'shared' });
    const first = (await callControl(control, 'test-start', 1)).endpoints;
    const second = (await callControl(control, 'test-start', 1)).endpoints;
    const other = (await callControl(control, 'test-start', 2)).endpoints;
    expect(second.web?.pid).not.toBe(first.web?.pid);
    // A command's token is its handle's: a fresh one per instance (REBIND_TOKEN in its env).
    expect(second.web?.token).toMatch(/^[0-9a-f]{16}$/);
    expect(second.web?.token).not.toBe(first.web?.token);
    expect(second.api?.pid).toBe(first.api?.pid);
    expect(other.api?.port).not.toBe(first.api?.port);
    expect(other.web?.port).not.toBe(first.web?.port);
    expect(other.db).toEqual(first.db);
    expect(host.context.shared.db).toEqual(first.db);
    expect(host.stats()).toMatchObject({ tests: 3, restarts: 1 });
    const pids = [first, second, other].flatMap((e) =>
      Object.values(e).map((s) => s.pid as number),
    );
    const { leftovers } = await host.stop();
    host = undefined;
    expect(leftovers).toEqual([]);
    expect(pids.filter(alive)).toEqual([]);
  });

  it('test-end begins the restart; the next test-start waits for it and restarts no more', async () => {
    host = await startServiceHost({ services: { web: { command } } });
    const { control } = host.context;
    const first = (await callControl(control, 'test-start', 1)).endpoints;
    expect(await callControl(control, 'test-end', 1)).toEqual({ endpoints: {}, failed: {} });
    const second = (await callControl(control, 'test-start', 1)).endpoints;
    expect(second.web?.pid).not.toBe(first.web?.pid);
    expect(alive(first.web?.pid as number)).toBe(false);
    expect(host.stats()).toMatchObject({ tests: 2, restarts: 1 });
    await callControl(control, 'test-end', 1);
    const { leftovers } = await host.stop();
    host = undefined;
    expect(leftovers).toEqual([]);
    expect(alive(second.web?.pid as number)).toBe(false);
  });

  it('a service with a standby swaps at test-start: no test-end call, none needed', async () => {
    host = await startServiceHost({ services: { web: { command, standby: true } } });
    const { control } = host.context;
    expect(host.context.testEnd).toBe(false);
    const first = (await callControl(control, 'test-start', 1)).endpoints;
    // A test-end (from a worker of an older version) restarts nothing: the swap waits.
    await callControl(control, 'test-end', 1);
    expect(host.stats()).toMatchObject({ restarts: 0 });
    expect(alive(first.web?.pid as number)).toBe(true);
    const second = (await callControl(control, 'test-start', 1)).endpoints;
    expect(second.web?.pid).not.toBe(first.web?.pid);
    expect(second.web?.port).not.toBe(first.web?.port);
    expect(host.stats()).toMatchObject({ tests: 2, restarts: 1 });
    const { leftovers } = await host.stop();
    host = undefined;
    expect(leftovers).toEqual([]);
    expect([first.web?.pid, second.web?.pid].filter((pid) => alive(pid as number))).toEqual([]);
  });

  it('`next` answers the endpoints the next test-start hands out, once the standby is ready', async () => {
    host = await startServiceHost({
      services: {
        web: { command: untouched, standby: true },
        api: { command, pristine: 'per-worker' },
      },
    });
    const { control } = host.context;
    const first = (await callControl(control, 'test-start', 1)).endpoints;
    const next = (await askControl(control, 'next', 1)).endpoints;
    // the standby: ready, not the current instance, and no request has reached it
    expect(next?.web?.pid).not.toBe(first.web?.pid);
    expect(alive(next?.web?.pid as number)).toBe(true);
    expect(next?.api).toEqual(first.api);
    const pristine = await fetch(next?.web?.url as string).then((r) => r.json());
    expect(pristine).toMatchObject({ hits: 1 });
    const second = (await callControl(control, 'test-start', 1)).endpoints;
    expect(second).toEqual(next);
    expect(host.stats()).toMatchObject({ tests: 2, restarts: 1 });
  });

  it('TestStarts: a test starts on the standby it was told of, and its test-start swaps it in', async () => {
    host = await startServiceHost({ services: { web: { command: untouched, standby: true } } });
    const { control } = host.context;
    const starts = new TestStarts(control, 1, true);
    const first = (await starts.start(true)).endpoints;
    // while the first test runs, the standby gets ready and `next` hands it over
    await expect.poll(() => starts.prefetched, { timeout: 30_000 }).toBe(true);
    expect(host.stats()).toMatchObject({ tests: 1, restarts: 0 });
    const second = (await starts.start(false)).endpoints;
    expect(second.web?.pid).not.toBe(first.web?.pid);
    expect(await fetch(second.web?.url as string).then((r) => r.json())).toMatchObject({
      hits: 1,
    });
    // the test-start sent beside it: the host swapped, its current instance is the standby
    await expect.poll(() => host?.stats().restarts, { timeout: 30_000 }).toBe(1);
    expect((await callControl(control, 'acquire', 1)).endpoints).toEqual(second);
    expect(host.stats()).toMatchObject({ tests: 2, prefetched: 1 });
    // the last test (`more` false) asks for no standby
    expect(starts.prefetched).toBe(false);
    const { leftovers } = await host.stop();
    host = undefined;
    expect(leftovers).toEqual([]);
  });

  it('workers send test-end when a per-test service restarts without a standby', async () => {
    host = await startServiceHost({
      services: { web: { command, standby: true }, api: { command } },
    });
    expect(host.context.testEnd).toBe(true);
  });

  it('stops what it started when a service fails to start, and reports the failure', async () => {
    const failing = startServiceHost({
      services: {
        db: { command, pristine: 'shared' },
        broken: {
          command: { command: process.execPath, args: ['-e', 'process.exit(3)'] },
          pristine: 'shared',
        },
      },
    });
    await expect(failing).rejects.toMatchObject({ code: 'REBIND_PROCESS_EXITED' });
  });

  it("hands a worker the main process's failure as a RebindError: code, message, details", async () => {
    host = await startServiceHost({
      services: {
        broken: { command: { command: process.execPath, args: ['-e', 'process.exit(3)'] } },
      },
    });
    const error: unknown = await callControl(host.context.control, 'acquire', 1).catch(
      (e: unknown) => e,
    );
    expect(isRebindError(error, 'REBIND_PROCESS_EXITED')).toBe(true);
    expect((error as Error).message).toMatch(
      /^`\S+ -e process\.exit\(3\)` \(pid \d+\) exited with code 3 before it was ready/,
    );
    expect((error as { details: unknown }).details).toMatchObject({
      command: process.execPath,
      code: 3,
    });
  });

  it('an engine that does not answer: the container service is reported failed, the others run', async () => {
    const dockerHost = process.env.DOCKER_HOST;
    process.env.DOCKER_HOST = `unix://${tmpdir()}/rebind-no-engine-${process.pid}.sock`;
    try {
      host = await startServiceHost({
        services: {
          web: { command },
          db: { container: { image: 'rebind/nginx:test', ports: [80] } },
          cache: { container: { image: 'rebind/nginx:test', ports: [80] }, pristine: 'shared' },
        },
      });
      const reply = await callControl(host.context.control, 'test-start', 1);
      expect(Object.keys(reply.endpoints)).toEqual(['web']);
      expect(Object.keys(reply.failed)).toEqual(['db', 'cache']);
      expect(reply.failed.db?.code).toBe('REBIND_DOCKER_UNAVAILABLE');
      expect(reply.failed.db?.message).toMatch(
        /^No Docker engine answers at unix:\/\/\S+rebind-no-engine-\d+\.sock \(connect ENOENT .*\)\. Start one/,
      );
    } finally {
      if (dockerHost === undefined) delete process.env.DOCKER_HOST;
      else process.env.DOCKER_HOST = dockerHost;
    }
    expect(host.context.shared).toEqual({});
  });

  it('says REBIND_NOT_RUNNING in the worker once the main process is gone', async () => {
    const stopped = await startServiceHost({ services: { web: { command } } });
    const { control } = stopped.context;
    await stopped.stop();
    const error: unknown = await callControl(control, 'acquire', 1).catch((e: unknown) => e);
    expect(isRebindError(error, 'REBIND_NOT_RUNNING')).toBe(true);
    const base = control.replace(/\/[^/]*$/, '');
    expect((error as Error).message).toBe(
      `rebind: the runner's main process did not answer at ${base} (connect ECONNREFUSED ${base.slice('http://'.length)}). It has probably exited; services are cleaned up by its watchdog.`,
    );
  });
});
