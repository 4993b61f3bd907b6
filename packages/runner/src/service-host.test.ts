// The host with real processes: the embedded Node HTTP server, three policies.
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { callControl } from './client.js';
import { startServiceHost, type ServiceHost } from './service-host.js';

const server = fileURLToPath(new URL('../fixtures/http-server.js', import.meta.url));
const command = { command: process.execPath, args: [server], readyPath: '/' };
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
    const first = await callControl(control, 'test-start', 1);
    const second = await callControl(control, 'test-start', 1);
    const other = await callControl(control, 'test-start', 2);
    expect(second.web?.pid).not.toBe(first.web?.pid);
    expect(second.web?.token).toMatch(/^\d+-[0-9a-f]{8}\/web\/1\/2$/);
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
});
