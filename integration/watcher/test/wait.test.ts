// waitForPort and `rebind wait` on real processes: a holder that dies, a new instance that
// listens late while the old one (SO_REUSEPORT) still listens on the same port.
import { spawn } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { waitForPort } from '@rebind/core';
import {
  cli,
  freePort,
  killChildren,
  nodeBindError,
  nodeListener,
  python,
  rebind,
  stage,
  start,
} from './helpers.js';

afterEach(killChildren);

const reuseportListener = (delayS: number) =>
  [
    'import socket, sys, time',
    `time.sleep(${delayS})`,
    's = socket.socket()',
    's.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)',
    's.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)',
    's.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(); print("up", flush=True)',
    'time.sleep(300)',
  ].join('\n');

describe('waitForPort on real processes', () => {
  it('`rebind wait --free` exits 0 once the holder is killed', async () => {
    const holder = await nodeListener(0, '127.0.0.1');
    const port = Number(holder.line);
    const waiter = spawn(process.execPath, [
      cli,
      'wait',
      String(port),
      '--free',
      '--timeout',
      '20000',
    ]);
    const code = new Promise((r) => waiter.once('exit', r));
    await holder.kill();
    expect(await code).toBe(0);
  });

  it('`rebind wait --free` on a privileged port works without privilege (run as uid 12345)', async () => {
    let port = 1000;
    while ((await nodeBindError(port, '127.0.0.1')) !== undefined) port--;
    const free = await rebind(['wait', String(port), '--free', '--timeout', '5000'], 12345);
    expect(free).toMatchObject({ code: 0, stderr: '' });
    const holder = await nodeListener(port, '127.0.0.1');
    const busy = await rebind(['wait', String(port), '--free', '--timeout', '100'], 12345);
    expect(busy.code).toBe(1);
    expect(busy.stderr).toContain(`rebind wait: Port ${port} was not free after 100 ms.`);
    expect(busy.stderr).toContain('not permitted to see (owner unknown) listens on');
    await holder.kill();
  });

  it('with pid, a lingering old instance never satisfies `listening`; the new one does', async () => {
    const port = await freePort();
    await python(reuseportListener(0), String(port)); // the old instance
    // the new instance starts now and listens (SO_REUSEPORT, beside the old one) 0.3 s later
    const fresh = start('python3', ['-c', reuseportListener(0.3), String(port)]);
    const startedPid = fresh.pid;
    let resolved = false;
    const waiting = waitForPort(port, {
      until: 'listening',
      pid: startedPid,
      timeout: 20_000,
    }).then(() => (resolved = true));
    await new Promise((r) => setTimeout(r, 100));
    expect(resolved).toBe(false); // the old instance listens, but it is not pid's tree
    await fresh.ready;
    await waiting;
    expect(resolved).toBe(true);
  });

  it('times out naming the old instance when the new one never listens', async () => {
    const port = await freePort();
    const old = await python(reuseportListener(0), String(port));
    const idle = await stage(process.execPath, [
      '-e',
      'console.log("up"); setInterval(() => {}, 1000)',
    ]);
    const error = await waitForPort(port, {
      until: 'listening',
      pid: idle.pid,
      timeout: 200,
    }).catch((e: unknown) => e as Error);
    expect(error?.message).toMatch(
      new RegExp(
        `^Port ${port} was not listening by pid ${idle.pid} or its descendants after 200 ms\\. Port ${port} is in use: pid ${old.pid} \\(\\S*python3 -c import socket, sys, time time\\.sleep\\(0\\)`,
      ),
    );
  });
});
