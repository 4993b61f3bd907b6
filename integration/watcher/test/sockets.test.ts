// inspectPort and `rebind who --json` against real sockets in every state a test can hold
// still, on IPv4 and IPv6, a dual-stack listener, a child's listener and a docker-proxy,
// each checked against what the test itself created and against `ss` on the same sockets.
import { execFileSync } from 'node:child_process';
import net from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { inspectPort } from '@rebind/core';
import type { PortReport } from '@rebind/core';
import { requireComponent } from '@rebind/test-support';
import { docker, killChildren, nodeListener, rebind, ssRows, ssSpelling } from './helpers.js';

afterEach(killChildren);

const closers: (() => void)[] = [];
afterEach(() => {
  for (const close of closers.splice(0)) close();
});

/**
 * A listener on `host` with four connections whose server sides sit in ESTABLISHED,
 * CLOSE_WAIT (the client sent FIN), FIN_WAIT2 (the server sent FIN, the client holds its
 * half open) and TIME_WAIT (the server closed first, the client followed).
 */
async function stageStates(host: string, connectTo = host) {
  const accepted: net.Socket[] = [];
  const server = net.createServer({ allowHalfOpen: true }, (s) => {
    s.on('error', () => {});
    accepted.push(s);
  });
  await new Promise<void>((r) => server.listen({ port: 0, host, ipv6Only: false }, r));
  const { port } = server.address() as net.AddressInfo;
  const clients: net.Socket[] = [];
  const localPorts: number[] = [];
  const connect = async (allowHalfOpen: boolean) => {
    const c = net.connect({ port, host: connectTo, allowHalfOpen });
    c.on('error', () => {});
    clients.push(c);
    await new Promise((r) => c.once('connect', r));
    localPorts.push(c.localPort as number);
    while (accepted.length < clients.length) await sleep(1);
    return accepted[clients.length - 1] as net.Socket;
  };
  await connect(false); // ESTABLISHED
  const closeWait = await connect(false);
  clients[1]?.end();
  const finWait2 = await connect(true);
  finWait2.end();
  const timeWait = await connect(false);
  timeWait.end();
  // the kernel needs the client's FIN for TIME_WAIT: wait until ss shows every state
  const want = ['ESTAB', 'CLOSE-WAIT', 'FIN-WAIT-2', 'TIME-WAIT', 'LISTEN'];
  for (let i = 0; i < 500; i++) {
    const states = new Set(ssRows(port).map((row) => row.split(' ')[0]));
    if (want.every((w) => states.has(w))) break;
    await sleep(10);
  }
  void closeWait;
  closers.push(() => {
    for (const s of [...clients, ...accepted]) s.destroy();
    server.close();
  });
  return { port, localPorts };
}

const key = (s: PortReport['sockets'][number]) =>
  `${s.state} ${s.localAddress}:${s.localPort} ${s.remoteAddress}:${s.remotePort}`;

describe.runIf(requireComponent('ss'))('inspectPort on real sockets', () => {
  it.each([
    ['IPv4', '127.0.0.1', '127.0.0.1', 4, '127.0.0.1'],
    ['IPv6', '::1', '::1', 6, '::1'],
    ['dual-stack [::] with IPv4 clients', '::', '127.0.0.1', 6, '::ffff:127.0.0.1'],
  ] as const)(
    '%s: LISTEN, ESTABLISHED, CLOSE_WAIT, FIN_WAIT2, TIME_WAIT',
    async (_, host, to, family, seen) => {
      const { port, localPorts } = await stageStates(host, to);
      const report = await inspectPort(port);
      const expected = [
        `LISTEN ${host}:${port} ${host === '::' || host === '::1' ? '::' : '0.0.0.0'}:0`,
        ...['ESTABLISHED', 'CLOSE_WAIT', 'FIN_WAIT2', 'TIME_WAIT'].map(
          (state, i) => `${state} ${seen}:${port} ${seen}:${localPorts[i]}`,
        ),
      ].sort();
      expect(report.sockets.map(key).sort()).toEqual(expected);
      expect(report.sockets.every((s) => s.family === family)).toBe(true);
      // owners: this process holds all but the TIME_WAIT socket, which no process owns
      for (const s of report.sockets) {
        if (s.state === 'TIME_WAIT') expect(s.pid).toBeUndefined();
        else expect(s.pid).toBe(process.pid);
      }
      expect(report.owners).toEqual([expect.objectContaining({ pid: process.pid, known: true })]);
      expect(report.verdict).toBe('listening');
      if (host === '::') {
        expect(report.sockets.find((s) => s.state === 'LISTEN')?.v6Only).toBe(false);
        expect(report.bindable.probes).toContainEqual({ address: '0.0.0.0', result: 'EADDRINUSE' });
        expect(report.explanation).toContain(`so it also blocks 0.0.0.0:${port}`);
      }
      // the same sockets as ss lists them
      expect(report.sockets.map(ssSpelling).sort()).toEqual(ssRows(port));
      // the fallback sources agree with sock_diag: one ss spawn, and /proc (no v6only there)
      for (const source of ['ss', 'proc']) {
        process.env.REBIND_SOCKET_TABLE = source;
        try {
          const via = await inspectPort(port);
          expect(via.sockets.map(key).sort()).toEqual(expected);
          const byKey = (list: PortReport['sockets']) =>
            [...list].sort((a, b) => key(a).localeCompare(key(b)));
          // ss sees the same uid, inode and v6only as sock_diag
          if (source === 'ss') expect(byKey(via.sockets)).toEqual(byKey(report.sockets));
        } finally {
          delete process.env.REBIND_SOCKET_TABLE;
        }
      }
      // rebind who --json says the same
      const who = await rebind(['who', String(port), '--json']);
      expect(who.code).toBe(0);
      const json = JSON.parse(who.stdout) as PortReport;
      expect(json.sockets.map(key).sort()).toEqual(expected);
      expect(json.owners[0]).toMatchObject({ pid: process.pid });
    },
  );

  it('a listener owned by a child process, and the time-wait verdict after it is gone', async () => {
    const child = await nodeListener(0, '127.0.0.1');
    const port = Number(child.line);
    const report = await inspectPort(port);
    expect(report.sockets).toEqual([
      expect.objectContaining({ state: 'LISTEN', localAddress: '127.0.0.1', pid: child.pid }),
    ]);
    expect(report.owners).toEqual([
      expect.objectContaining({
        pid: child.pid,
        parentPid: process.pid,
        command: 'node',
        commandLine: expect.stringContaining(`${process.execPath} -e`) as string,
        user: 'root',
      }),
    ]);
    expect(report.explanation).toMatch(
      new RegExp(
        `^Port ${port} is in use: pid ${child.pid} \\(.*node -e .*\\) listens on 127\\.0\\.0\\.1:${port}\\.`,
        's',
      ),
    );
    const who = await rebind(['who', String(port)]);
    expect(who.stdout).toContain(`LISTEN  127.0.0.1:${port}  *       ${child.pid}`);
    expect(ssRows(port)).toEqual([`LISTEN 127.0.0.1:${port} 0.0.0.0:*`]);
    // connected and closed from the server side: TIME_WAIT only, then the child is killed
    const c = net.connect(port, '127.0.0.1');
    c.on('error', () => {});
    await new Promise((r) => c.once('connect', r));
    await child.kill();
    await sleep(20);
    c.destroy();
    const after = await inspectPort(port);
    expect(after.sockets.every((s) => s.state !== 'LISTEN')).toBe(true);
    expect(['free', 'time-wait']).toContain(after.verdict);
    expect(after.bindable.reuseAddr).toBe(true);
  });
});

const container = `rebind-watcher-${process.pid}`;
afterAll(() => {
  if (requireComponent('docker')) {
    try {
      execFileSync('docker', ['rm', '-f', container], { stdio: 'ignore' });
    } catch {
      // not created
    }
  }
});

describe.runIf(requireComponent('docker', 'ss'))('a port held by docker-proxy', () => {
  it('names the container behind the proxy', async () => {
    docker(
      'run',
      '-d',
      '--name',
      container,
      '--label',
      'rebind.test=watcher',
      '-p',
      '127.0.0.1:0:80',
      'rebind/nginx:test',
    );
    const port = Number(docker('port', container, '80/tcp').split(':').pop());
    const id = docker('inspect', '-f', '{{.Id}}', container).slice(0, 12);
    const report = await inspectPort(port);
    expect(report.verdict).toBe('listening');
    const proxy = report.owners.find((o) => o.command === 'docker-proxy');
    expect(proxy).toMatchObject({
      known: true,
      container: { id, name: container, image: 'rebind/nginx:test', containerPort: 80 },
    });
    expect(proxy?.commandLine).toContain(`-host-port ${port}`);
    expect(report.explanation).toContain(
      `container ${container} (${id}, image rebind/nginx:test) through docker-proxy pid ${proxy?.pid}`,
    );
    expect(report.explanation).toContain(`docker rm -f ${container}`);
    expect(report.sockets.map(ssSpelling).sort()).toEqual(ssRows(port));
    const who = JSON.parse((await rebind(['who', String(port), '--json'])).stdout) as PortReport;
    expect(who.owners.find((o) => o.container)?.container?.name).toBe(container);
    docker('rm', '-f', container);
  });
});
