import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { allocatePort } from '../allocate/allocate-port.js';
import type { PortLease } from '../allocate/port-lease.js';
import { httpGet } from './readiness.js';
import { isRunning } from '../proc/process-tree.js';
import { startProcess, type StartedProcess } from './start-process.js';
import { readAll, rejection } from '../../test/helpers.js';

const fixture = (name: string) => fileURLToPath(new URL(`../../fixtures/${name}`, import.meta.url));
const node = process.execPath;

const leases: PortLease[] = [];
async function freePort(): Promise<number> {
  const lease = await allocatePort({ host: '127.0.0.1' });
  leases.push(lease);
  return lease.port;
}

/** Resolves true when 127.0.0.1:port can be bound right now. */
function canBind(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

const started: StartedProcess[] = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map((p) => p.stop({ signal: 'SIGKILL' })));
  await Promise.all(leases.splice(0).map((lease) => lease.release()));
});

describe('startProcess', () => {
  it('waits for an HTTP answer from a server that listens late, then stops it and frees the port', async () => {
    const port = await freePort();
    const proc = await startProcess({
      command: node,
      args: [fixture('delayed-listen.js'), String(port), '150'],
      ready: { http: port },
    });
    started.push(proc);
    expect((await httpGet(`http://127.0.0.1:${port}/`)).body).toBe(`delayed ${proc.pid}`);
    await proc.stop();
    expect(isRunning(proc.pid)).toBe(false);
    expect(await canBind(port)).toBe(true);
    expect(proc.output()).toBe(`waiting 150 ms\nlistening on ${port}\n`);
  });

  it('counts a TCP listener only when its own process tree holds it', async () => {
    const port = await freePort();
    const foreign = createServer();
    await new Promise<void>((resolve) => foreign.listen(port, '127.0.0.1', resolve));
    try {
      const error = await rejection(
        startProcess({
          command: node,
          args: ['-e', 'setInterval(() => {}, 1000)'],
          ready: { tcp: port },
          readyTimeout: 300,
        }),
      );
      expect(error.code).toBe('REBIND_START_TIMEOUT');
    } finally {
      await new Promise((resolve) => foreign.close(resolve));
    }
    const proc = await startProcess({
      command: node,
      args: [fixture('grandchild.js'), String(port)],
      ready: { tcp: port },
      stop: { timeout: 200 },
    });
    started.push(proc);
    const greeting = await readAll(port);
    expect(greeting).toBe(`grandchild-parent ${proc.pid}\n`);
  });

  it('matches a pattern on the output', async () => {
    const port = await freePort();
    const proc = await startProcess({
      command: node,
      args: [fixture('delayed-listen.js'), String(port), '50'],
      ready: { output: /listening on (\d+)/ },
    });
    started.push(proc);
    expect((await httpGet(`http://127.0.0.1:${port}/`)).status).toBe(200);
  });

  it('fails at once with the exit code and the output when the process exits before it is ready', async () => {
    const error = await rejection(
      startProcess({ command: node, args: [fixture('exit-early.js'), '3'], ready: { http: 1 } }),
    );
    expect(error.code).toBe('REBIND_PROCESS_EXITED');
    expect(error.message).toBe(
      `\`${node} ${fixture('exit-early.js')} 3\` (pid ${String(error.details.pid)}) exited with code 3 before it was ready (waiting for HTTP 200-399 from http://127.0.0.1:1/). Its output:\n    starting up\n    error: config file /etc/example.conf not found`,
    );
  });

  it('times out with REBIND_START_TIMEOUT and stops the process', async () => {
    const port = await freePort();
    const error = await rejection(
      startProcess({
        command: node,
        args: [fixture('delayed-listen.js'), String(port), '60000'],
        ready: { http: port },
        readyTimeout: 200,
      }),
    );
    expect(error.code).toBe('REBIND_START_TIMEOUT');
    // Under load the fixture may not have printed yet: both endings are deliberate.
    expect([
      `\`${node} ${fixture('delayed-listen.js')} ${port} 60000\` (pid ${String(error.details.pid)}) was not ready within 200 ms (waiting for HTTP 200-399 from http://127.0.0.1:${port}/); it was stopped. Check the readiness check and the output, or raise \`readyTimeout\`. Its output:\n    waiting 60000 ms`,
      `\`${node} ${fixture('delayed-listen.js')} ${port} 60000\` (pid ${String(error.details.pid)}) was not ready within 200 ms (waiting for HTTP 200-399 from http://127.0.0.1:${port}/); it was stopped. Check the readiness check and the output, or raise \`readyTimeout\`. It printed nothing.`,
    ]).toContain(error.message);
    expect(isRunning(error.details.pid as number)).toBe(false);
  });

  it('says when the command does not exist', async () => {
    const error = await rejection(startProcess({ command: 'rebind-no-such-command' }));
    expect(error.code).toBe('REBIND_COMPONENT_MISSING');
    expect(error.message).toBe(
      '`rebind-no-such-command` could not be started: `rebind-no-such-command` was not found (spawn ENOENT). Install it, or pass its absolute path as `command`.',
    );
  });

  it('escalates to SIGKILL after the grace period when SIGTERM is ignored', async () => {
    const port = await freePort();
    const proc = await startProcess({
      command: node,
      args: [fixture('ignore-sigterm.js'), String(port)],
      ready: { http: port },
      stop: { timeout: 300 },
    });
    started.push(proc);
    await proc.stop();
    expect(await proc.exited).toEqual({ code: null, signal: 'SIGKILL' });
    expect(proc.output()).toContain('SIGTERM ignored');
    expect(await canBind(port)).toBe(true);
  });

  it('resolves stop() only when a grandchild holding the socket is gone too', async () => {
    const port = await freePort();
    const proc = await startProcess({
      command: node,
      args: [fixture('grandchild.js'), String(port)],
      ready: { output: /grandchild \d+ holds/ },
      stop: { timeout: 300, ports: [port] },
    });
    started.push(proc);
    const grandchild = Number(/grandchild (\d+) holds/.exec(proc.output())?.[1]);
    expect(isRunning(grandchild)).toBe(true);
    await proc.stop();
    expect(isRunning(grandchild)).toBe(false);
    expect(await canBind(port)).toBe(true);
  });

  it('restarts in place: a new pid answers on the same port', async () => {
    const port = await freePort();
    const proc = await startProcess({
      command: node,
      args: [fixture('delayed-listen.js'), String(port), '0'],
      ready: { http: port, body: /^delayed / },
    });
    started.push(proc);
    const first = proc.pid;
    await proc.restart();
    expect(proc.pid).not.toBe(first);
    expect(isRunning(first)).toBe(false);
    expect((await httpGet(`http://127.0.0.1:${port}/`)).body).toBe(`delayed ${proc.pid}`);
  });

  it('runs python3 -m http.server as a first-class server', async () => {
    const port = await freePort();
    const proc = await startProcess({
      command: 'python3',
      args: ['-m', 'http.server', '--bind', '127.0.0.1', String(port)],
      ready: { tcp: port },
    });
    started.push(proc);
    expect((await httpGet(`http://127.0.0.1:${port}/`)).status).toBe(200);
    await proc.stop();
    expect(await canBind(port)).toBe(true);
  });

  it('validates its options with execa wording', async () => {
    const error = await rejection(startProcess({ command: '' }));
    expect(error.message).toBe(
      'Expected the `command` option to be a non-empty string, got `` (string).',
    );
  });
});
