// The control channel both ways, loopback HTTP and the unix socket beside it, with a real
// host: the same answers and errors; calls overlapping on the socket's one connection; a
// worker process that calls and then exits on its own.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it, onTestFinished } from 'vitest';
import { isRebindError } from '@rebind/core';
import { askControl, callControl, type ControlTarget } from './client.js';
import { startServiceHost, type ServiceHost } from './service-host.js';

const server = fileURLToPath(new URL('../fixtures/http-server.js', import.meta.url));
const command = { command: process.execPath, args: [server], readyPath: '/' };
const untouched = { command: process.execPath, args: [server] };
const worker = fileURLToPath(new URL('../fixtures/control-worker.js', import.meta.url));

let host: ServiceHost | undefined;
afterEach(async () => {
  await host?.stop();
  host = undefined;
});

const transports: Record<string, (h: ServiceHost) => ControlTarget> = {
  http: (h) => h.context.control,
  socket: (h) => h.context,
};

const failure = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (e: unknown) => e as Error & { code?: string },
  );

describe.each(Object.keys(transports))('the control channel over %s', (transport) => {
  const targetOf = transports[transport] as (h: ServiceHost) => ControlTarget;

  it('answers every call: endpoints, restarts, counts, configure, errors', async () => {
    host = await startServiceHost({ services: { web: { command } } });
    const target = targetOf(host);
    const first = (await callControl(target, 'test-start', 1)).endpoints;
    expect((await callControl(target, 'acquire', 1)).endpoints).toEqual(first);
    expect(first.web?.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    expect(await callControl(target, 'test-end', 1)).toEqual({ endpoints: {}, failed: {} });
    const second = (await callControl(target, 'test-start', 1)).endpoints;
    expect(second.web?.pid).not.toBe(first.web?.pid);
    await askControl(target, 'tests', 1, undefined, '&count=3');
    const own = await askControl(target, 'configure', 2, { kind: 'command', options: command });
    expect((await fetch(own.endpoint?.url as string)).status).toBe(200);
    const { stats } = (await askControl(target, 'stats', 1)) as { stats?: unknown };
    expect(stats).toMatchObject({ tests: 5, restarts: 1, slots: 1 });
    const refused = await failure(
      askControl(target, 'configure', 2, { kind: 'nope', options: {} }),
    );
    expect(isRebindError(refused, 'REBIND_INVALID_OPTION')).toBe(true);
    expect(refused?.message).toBe(
      "Expected the `kind` option to be one of 'nginx', 'container', 'compose', 'command', got `nope` (string).",
    );
    const unknown = await failure(askControl(target, 'launch' as 'stats', 1));
    expect(unknown?.message).toBe('unknown rebind control call');
  });

  it('says REBIND_NOT_RUNNING once the host has stopped, also on a connection it had open', async () => {
    const stopped = await startServiceHost({ services: { web: { command } } });
    const target = targetOf(stopped);
    await callControl(target, 'acquire', 1);
    await stopped.stop();
    const error = await failure(callControl(target, 'acquire', 1));
    expect(isRebindError(error, 'REBIND_NOT_RUNNING')).toBe(true);
    const base = stopped.context.control.replace(/\/[^/]*$/, '');
    const cause =
      transport === 'http'
        ? `connect ECONNREFUSED ${base.slice('http://'.length)}`
        : `connect ENOENT ${stopped.context.socket}`;
    expect(error?.message).toBe(
      `rebind: the runner's main process did not answer at ${base} (${cause}). It has probably exited; services are cleaned up by its watchdog.`,
    );
  });
});

describe('the unix socket', () => {
  it('is in a private directory, removed when the host stops', async () => {
    host = await startServiceHost({});
    const path = host.context.socket as string;
    expect(path).toMatch(/\/rebind-[^/]+\/control\.sock$/);
    expect(statSync(dirname(path)).mode & 0o777).toBe(0o700);
    expect(statSync(path).isSocket()).toBe(true);
    await host.stop();
    host = undefined;
    expect(existsSync(dirname(path))).toBe(false);
  });

  it('is left out when its path would be over 100 bytes: workers given the context use HTTP', async () => {
    const long = mkdtempSync(join(tmpdir(), `rebind-long-${'x'.repeat(100)}-`));
    onTestFinished(() => rmSync(long, { recursive: true, force: true }));
    const before = process.env.TMPDIR;
    process.env.TMPDIR = long;
    try {
      host = await startServiceHost({ services: { web: { command } } });
    } finally {
      if (before === undefined) delete process.env.TMPDIR;
      else process.env.TMPDIR = before;
    }
    expect(host.context.socket).toBeUndefined();
    expect(readdirSync(long)).toEqual([]);
    expect((await callControl(host.context, 'acquire', 1)).endpoints.web?.slot).toBe(1);
  });

  it('matches overlapping calls to their answers: a waiting `next` does not hold the others', async () => {
    host = await startServiceHost({ services: { web: { command: untouched, standby: true } } });
    const target = host.context;
    const first = (await callControl(target, 'test-start', 1)).endpoints;
    const next = askControl(target, 'next', 1, undefined, '', { background: true });
    const [one, two, stats] = await Promise.all([
      callControl(target, 'acquire', 1),
      callControl(target, 'acquire', 2),
      askControl(target, 'stats', 1),
    ]);
    expect(one.endpoints).toEqual(first);
    expect(two.endpoints.web?.slot).toBe(2);
    expect(stats).toMatchObject({ stats: { tests: 1 } });
    expect((await next).endpoints?.web?.pid).not.toBe(first.web?.pid);
  });

  it('keeps no worker alive: a process that calls, leaves a background call waiting, and exits on its own', async () => {
    host = await startServiceHost({ services: { web: { command } } });
    const child = spawn(process.execPath, [worker, JSON.stringify(host.context)], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    onTestFinished(() => void child.kill());
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
    const code = await new Promise((resolve) => child.once('exit', resolve));
    expect(code).toBe(0);
    // eight calls at once went over one connection
    expect(JSON.parse(out)).toEqual({ answers: 8, connections: 1 });
  });
});
