import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { isRunning } from '@rebind/core';
import { startNginx } from '@rebind/nginx';
import { listProcesses, nginxMastersUnder, requireComponent } from '@rebind/test-support';
import { freePort, releasePorts } from '../src/free-port.js';
import { rejection } from '../src/rejection.js';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  await releasePorts();
});

describe.runIf(requireComponent('nginx'))('nginx failures', () => {
  it('names the foreign process holding the port (REBIND_PORT_IN_USE)', async () => {
    const port = await freePort();
    const holder = spawn(
      'python3',
      [
        '-c',
        `import socket,time;s=socket.socket();s.bind(('127.0.0.1',${port}));s.listen();print('ok',flush=True);time.sleep(60)`,
      ],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    cleanups.push(() => holder.kill('SIGKILL'));
    await new Promise((resolve) => holder.stdout.once('data', resolve));
    const command = readFileSync(`/proc/${holder.pid}/cmdline`, 'utf8')
      .split('\0')
      .filter(Boolean)
      .join(' ');
    expect(command).toMatch(/python3 -c import socket/);
    const error = await rejection(startNginx({ snippet: 'return 200;', port }));
    expect(error.code).toBe('REBIND_PORT_IN_USE');
    const [first] = error.message.split('\n');
    expect(first).toBe(
      `nginx could not bind 127.0.0.1:${port}: another process, pid ${holder.pid} (${command}), listens on 127.0.0.1:${port}. Stop that process if it is yours, or let rebind choose a port (port: 'auto').`,
    );
    expect(error.message).toContain("\nnginx's output:\n");
    expect(error.message).toContain(
      `[emerg] bind() to 127.0.0.1:${port} failed (98: Address already in use)`,
    );
  });

  it("reports a broken config with nginx's message and the user's file and line", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rebind-nginx-test-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const conf = join(dir, 'nginx.conf');
    writeFileSync(
      conf,
      'events {}\nhttp {\n  server {\n    listen 80;\n    bogus_directive on;\n  }\n}\n',
    );
    const error = await rejection(startNginx({ config: conf }));
    expect(error.code).toBe('REBIND_CONFIG_INVALID');
    expect(error.message.split('\n')[0]).toMatch(
      new RegExp(
        `^nginx rejected the configuration: unknown directive "bogus_directive" in ${conf.replace(/[.]/g, '\\.')}:5 \\(rendered copy: /tmp/rebind-nginx-\\w+/conf/nginx\\.conf:\\d+, \`bogus_directive on;\`\\)\\. Fix that line\\. nginx's output:$`,
      ),
    );
    expect(error.details).toMatchObject({ file: conf, line: 5 });
  });

  it('leaves no nginx 1 s after its owner is SIGKILLed', async () => {
    const owner = spawn(
      process.execPath,
      [fileURLToPath(new URL('../dist/owner.js', import.meta.url))],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    cleanups.push(() => owner.kill('SIGKILL'));
    const line = await new Promise<string>((resolve) => {
      owner.stdout.setEncoding('utf8');
      owner.stdout.once('data', resolve);
    });
    const [master, prefix] = line.trim().split(' ') as [string, string];
    cleanups.push(() => rmSync(prefix, { recursive: true, force: true }));
    expect(nginxMastersUnder(prefix).map((p) => p.pid)).toEqual([Number(master)]);
    owner.kill('SIGKILL');
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(
      listProcesses().filter((p) => p.args.startsWith('nginx:') && p.args.includes(prefix)),
    ).toEqual([]);
    expect(isRunning(Number(master))).toBe(false);
    expect(existsSync(prefix)).toBe(false);
  });

  it('aborts a start through its signal', async () => {
    const controller = new AbortController();
    const starting = startNginx({ snippet: 'return 200;', signal: controller.signal });
    controller.abort(new Error('test over'));
    const error = await rejection(starting);
    expect(error.code).toBe('REBIND_ABORTED');
    expect(error.message).toMatch(/^Starting `.*nginx .*` was aborted\.$/);
  });

  for (const upstreamDelay of [100, 60_000]) {
    it(
      upstreamDelay < 1000
        ? 'stop() with a request in flight lets it finish within the grace period'
        : 'stop() with a request in flight escalates to SIGKILL after the grace period',
      async () => {
        const upstreamPort = await freePort();
        const sockets = new Set<Socket>();
        const upstream: Server = createServer((socket) => {
          sockets.add(socket);
          socket.once('data', () => {
            setTimeout(
              () =>
                socket.end('HTTP/1.1 200 OK\r\nContent-Length: 4\r\nConnection: close\r\n\r\nslow'),
              upstreamDelay,
            ).unref();
          });
        });
        await new Promise<void>((resolve) => upstream.listen(upstreamPort, '127.0.0.1', resolve));
        cleanups.push(() => new Promise((resolve) => upstream.close(resolve)));
        cleanups.push(() => sockets.forEach((socket) => socket.destroy()));
        const web = await startNginx({
          snippet: `location / { proxy_pass http://127.0.0.1:${upstreamPort}; proxy_read_timeout 120s; }`,
          stopTimeout: 500,
        });
        cleanups.push(() => web.stop());
        const master = web.pid;
        const inFlight = fetch(web.url).then(
          async (r) => `${r.status} ${await r.text()}`,
          (e: Error) => `failed: ${e.message}`,
        );
        await new Promise((resolve) => setTimeout(resolve, 50));
        await web.stop();
        expect(isRunning(master)).toBe(false);
        expect(await inFlight).toBe(upstreamDelay < 1000 ? '200 slow' : 'failed: fetch failed');
      },
    );
  }
});
