// Every bind-failure cause that can be staged here, staged for real: the error must name
// the right holder and cause.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { diagnoseBindFailure, isRebindError } from '@rebind/core';
import { requireComponent } from '@rebind/test-support';
import {
  docker,
  freePort,
  killChildren,
  nodeBindError,
  nodeListener,
  python,
  rebind,
  stage,
  stageAsNobody,
} from './helpers.js';

afterEach(killChildren);
const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

async function diagnose(options: Parameters<typeof diagnoseBindFailure>[0]) {
  const error = await diagnoseBindFailure(options);
  expect(isRebindError(error, 'REBIND_PORT_IN_USE')).toBe(true);
  return error;
}

describe.runIf(requireComponent('ss'))('diagnoseBindFailure on staged bind failures', () => {
  it('another process listens', async () => {
    const holder = await nodeListener(0, '127.0.0.1');
    const port = Number(holder.line);
    const message = await nodeBindError(port, '127.0.0.1');
    expect(message).toBe(`listen EADDRINUSE: address already in use 127.0.0.1:${port}`);
    const error = await diagnose({ port, message });
    expect(error.details).toMatchObject({ cause: 'another-process', holder: { pid: holder.pid } });
    expect(error.message).toMatch(
      new RegExp(
        `^The server could not bind 127\\.0\\.0\\.1:${port}: another process, pid ${holder.pid} \\(.*node -e .*\\), listens on 127\\.0\\.0\\.1:${port}\\. Stop that process if it is yours, or let rebind choose a port \\(port: 'auto'\\)\\.\\n    listen EADDRINUSE`,
        's',
      ),
    );
  });

  it('the previous instance still listens', async () => {
    const previous = await nodeListener(0, '127.0.0.1');
    const port = Number(previous.line);
    const error = await diagnose({
      port,
      host: '127.0.0.1',
      message: await nodeBindError(port, '127.0.0.1'),
      previousPids: [previous.pid],
      server: 'web',
    });
    expect(error.details).toMatchObject({
      cause: 'previous-instance',
      holder: { pid: previous.pid },
    });
    expect(error.message).toMatch(
      new RegExp(
        `^web could not bind 127\\.0\\.0\\.1:${port}: the previous instance, pid ${previous.pid} \\(`,
      ),
    );
  });

  it('a child that inherited the previous instance socket still listens after it died', async () => {
    const port = await freePort();
    const previous = await python(
      [
        'import socket, subprocess, sys',
        's = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)',
        's.bind(("127.0.0.1", int(sys.argv[1]))); s.listen()',
        'p = subprocess.Popen(["sleep", "300"], pass_fds=[s.fileno()])',
        'print(p.pid, flush=True)',
        'import time; time.sleep(300)',
      ].join('\n'),
      String(port),
    );
    const inheritor = Number(previous.line);
    await previous.kill();
    try {
      const error = await diagnose({
        port,
        message: await nodeBindError(port, '127.0.0.1'),
        previousPids: [previous.pid, inheritor],
      });
      expect(error.details).toMatchObject({ cause: 'inherited-child', holder: { pid: inheritor } });
      expect(error.message).toContain(
        `pid ${inheritor} (sleep 300), a child of the previous instance (pid ${previous.pid}) that inherited its listening socket, still listens on 127.0.0.1:${port}`,
      );
    } finally {
      process.kill(inheritor, 'SIGKILL');
    }
  });

  it('TIME_WAIT only, and the server does not set SO_REUSEADDR (a raw Python socket)', async () => {
    const server = net.createServer((s) => s.end());
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as net.AddressInfo;
    const c = net.connect(port, '127.0.0.1');
    c.on('error', () => {});
    await new Promise((r) => c.once('close', r)); // the server closed first: TIME_WAIT on port
    await new Promise((r) => server.close(r));
    const plain = await stage('python3', [
      '-c',
      'import socket, sys\ns = socket.socket()\ntry:\n    s.bind(("127.0.0.1", int(sys.argv[1]))); print("bound")\nexcept OSError as e:\n    print(f"OSError: [Errno {e.errno}] {e.strerror}")',
      String(port),
    ]);
    expect(plain.line).toBe('OSError: [Errno 98] Address already in use');
    const error = await diagnose({ port, message: plain.line, server: 'python3' });
    expect(error.details).toMatchObject({ cause: 'time-wait' });
    expect(error.message).toBe(
      `python3 could not bind 0.0.0.0:${port}: no process holds it: only 1 connection in TIME_WAIT remains, and this server does not set SO_REUSEADDR. Set SO_REUSEADDR before bind() (Python: allow_reuse_address = True; Node, nginx, Go and Java already do), or wait for TIME_WAIT to end (60 s on Linux).\n    OSError: [Errno 98] Address already in use`,
    );
    // a SO_REUSEADDR server binds fine
    expect(await nodeBindError(port, '127.0.0.1')).toBeUndefined();
  });

  it('a socket bound without listening, which no table shows', async () => {
    const port = await freePort();
    const holder = await python(
      'import socket, sys, time\ns = socket.socket()\ns.bind(("127.0.0.1", int(sys.argv[1]))); print("bound", flush=True)\ntime.sleep(300)',
      String(port),
    );
    expect(holder.line).toBe('bound');
    const error = await diagnose({ port, message: await nodeBindError(port, '127.0.0.1') });
    expect(error.details).toMatchObject({ cause: 'bound-not-listening' });
    expect(error.message).toContain(
      'a socket is bound to it without listening, which shows in no socket table (only a bind probe finds it)',
    );
  });

  it('a dual-stack [::] listener blocks 0.0.0.0', async () => {
    const holder = await nodeListener(0, '::');
    const port = Number(holder.line);
    const message = await nodeBindError(port, '0.0.0.0');
    const error = await diagnose({ port, host: '0.0.0.0', message });
    expect(error.details).toMatchObject({ cause: 'dual-stack', holder: { pid: holder.pid } });
    expect(error.message).toContain(
      `listens on [::]:${port} dual-stack, which also holds 0.0.0.0:${port}`,
    );
  });

  it('SO_REUSEPORT on one side only, both ways', async () => {
    const reuseport = [
      'import socket, sys',
      's = socket.socket()',
      's.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)',
      's.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)',
      's.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(); print("up", flush=True)',
      'import time; time.sleep(300)',
    ].join('\n');
    const port = await freePort();
    const holder = await python(reuseport, String(port));
    const error = await diagnose({
      port,
      message: await nodeBindError(port, '127.0.0.1'),
      reusePort: false,
    });
    expect(error.details).toMatchObject({
      cause: 'reuseport-mismatch',
      holder: { pid: holder.pid },
    });
    expect(error.message).toContain(
      `listens on 127.0.0.1:${port} with SO_REUSEPORT, but this server did not set SO_REUSEPORT`,
    );
    await holder.kill();

    const plain = await nodeListener(0, '127.0.0.1');
    const port2 = Number(plain.line);
    const second = await python(
      reuseport.replace(
        's.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(); print("up", flush=True)',
        'try:\n    s.bind(("127.0.0.1", int(sys.argv[1]))); print("bound", flush=True)\nexcept OSError as e:\n    print(f"OSError: [Errno {e.errno}] {e.strerror}", flush=True)',
      ),
      String(port2),
    );
    expect(second.line).toBe('OSError: [Errno 98] Address already in use');
    const other = await diagnose({ port: port2, message: second.line, reusePort: true });
    expect(other.details).toMatchObject({
      cause: 'reuseport-mismatch',
      holder: { pid: plain.pid },
    });
    expect(other.message).toContain('without SO_REUSEPORT, so this server');
  });

  it('a stale unix socket file, and a live one', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rebind-watcher-'));
    dirs.push(dir);
    const path = join(dir, 'app.sock');
    const holder = await stage(process.execPath, [
      '-e',
      `require('net').createServer().listen(${JSON.stringify(path)}, () => console.log('up'))`,
    ]);
    const inUse = await nodeBindError(path);
    expect(inUse).toBe(`listen EADDRINUSE: address already in use ${path}`);
    const busy = await diagnose({ message: inUse });
    expect(busy.details).toMatchObject({
      cause: 'unix-socket-in-use',
      holder: { pid: holder.pid },
    });
    await holder.kill(); // SIGKILL: the socket file stays behind
    const stale = await diagnose({ message: await nodeBindError(path) });
    expect(stale.details).toMatchObject({ cause: 'stale-unix-socket' });
    expect(stale.message).toBe(
      `The server could not bind ${path}: the socket file is left over from a server that is gone (nothing accepts on it). Remove the file before binding (rm ${path}); rebind removes its own stale sockets.\n    listen EADDRINUSE: address already in use ${path}`,
    );
  });

  it('a privileged port without the privilege (a child running as uid 65534)', async () => {
    let port = 1000;
    while ((await nodeBindError(port, '127.0.0.1')) !== undefined) port--;
    const child = await stageAsNobody(
      `require('net').createServer().on('error', (e) => console.log(e.message)).listen(${port}, '127.0.0.1', () => console.log('bound'))`,
    );
    expect(child.line).toBe(`listen EACCES: permission denied 127.0.0.1:${port}`);
    const error = await diagnose({ message: child.line });
    expect(error.details).toMatchObject({ cause: 'privileged-port' });
    expect(error.message).toContain(
      `port ${port} is below 1024, which only root or a process with CAP_NET_BIND_SERVICE may bind`,
    );
  });

  it('a port inside the ephemeral range taken by an outgoing connection', async () => {
    const server = net.createServer((s) => s.on('error', () => {}));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port: target } = server.address() as net.AddressInfo;
    try {
      const client = await stage(process.execPath, [
        '-e',
        `const c = require('net').connect(${target}, '127.0.0.1', () => console.log(c.localPort)); setInterval(() => {}, 1000)`,
      ]);
      const port = Number(client.line);
      const message = await nodeBindError(port, '0.0.0.0');
      expect(message).toBe(`listen EADDRINUSE: address already in use 0.0.0.0:${port}`);
      const error = await diagnose({ port, host: '0.0.0.0', message });
      expect(error.details).toMatchObject({
        cause: 'ephemeral-outgoing',
        holder: { pid: client.pid },
      });
      expect(error.message).toContain(
        `uses it as the local port of an outgoing connection to 127.0.0.1:${target} (ESTABLISHED); port ${port} lies inside the ephemeral range`,
      );
    } finally {
      await killChildren(); // its connection keeps server.close() waiting
      await new Promise((r) => server.close(r));
    }
  });

  it('an owner rebind may not see: unknown, with its uid (lookup run as another user)', async () => {
    const holder = await stageAsNobody(
      `const s = require('net').createServer(); s.listen(0, '127.0.0.1', () => console.log(s.address().port))`,
    );
    const port = Number(holder.line);
    const who = await rebind(['who', String(port), '--json'], 12345);
    expect(who.code).toBe(0);
    const report = JSON.parse(who.stdout) as {
      owners: unknown[];
      sockets: { pid?: number; uid?: number }[];
      explanation: string;
    };
    expect(report.sockets[0]).toMatchObject({ uid: 65534 });
    expect(report.sockets[0]?.pid).toBeUndefined();
    expect(report.owners).toEqual([{ known: false, uid: 65534, user: 'nobody' }]);
    expect(report.explanation).toContain(
      'a process of uid 65534 (nobody) that rebind is not permitted to see (owner unknown) listens on',
    );
    // root sees it
    const asRoot = await rebind(['who', String(port), '--json']);
    expect((JSON.parse(asRoot.stdout) as { owners: { pid?: number }[] }).owners[0]?.pid).toBe(
      holder.pid,
    );
  });
});

const name = `rebind-watcher-diagnose-${process.pid}`;
afterAll(() => {
  for (const n of [name, `${name}-2`]) {
    try {
      execFileSync('docker', ['rm', '-f', n], { stdio: 'ignore' });
    } catch {
      // not created
    }
  }
});

describe.runIf(requireComponent('docker', 'ss'))('a container holds the port', () => {
  it("names the container, from a host bind failure and from Docker's own error", async () => {
    docker(
      'run',
      '-d',
      '--name',
      name,
      '--label',
      'rebind.test=watcher',
      '-p',
      '127.0.0.1:0:80',
      'rebind/nginx:test',
    );
    const port = Number(docker('port', name, '80/tcp').split(':').pop());
    const id = docker('inspect', '-f', '{{.Id}}', name).slice(0, 12);
    const host = await diagnose({ port, message: await nodeBindError(port, '127.0.0.1') });
    expect(host.details).toMatchObject({ cause: 'container', holder: { container: { name, id } } });
    expect(host.message).toContain(
      `container ${name} (${id}, image rebind/nginx:test) through docker-proxy pid`,
    );
    expect(host.message).toContain(`docker rm -f ${name}`);
    let dockerError = '';
    try {
      execFileSync(
        'docker',
        ['run', '-d', '--name', `${name}-2`, '-p', `127.0.0.1:${port}:80`, 'rebind/nginx:test'],
        {
          stdio: 'pipe',
        },
      );
    } catch (error) {
      dockerError = String((error as { stderr?: Buffer }).stderr ?? '');
    }
    expect(dockerError).toMatch(/port is already allocated|address already in use/);
    const fromDocker = await diagnose({ message: dockerError });
    expect(fromDocker.details).toMatchObject({
      cause: 'container',
      port,
      holder: { container: { name } },
    });
    expect(fromDocker.message).toMatch(/^Docker could not bind 127\.0\.0\.1:\d+: container /);
  });
});
