// The physical floor for nginx restarts: spawn nginx (daemon off) on a prepared config,
// poll until the first HTTP answer, send QUIT, wait for the exit event. No rebind code.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export function httpGet(port, path = '/', host = '127.0.0.1', timeout = 2000) {
  return new Promise((resolve, reject) => {
    const req = request({ host, port, path, agent: false, timeout }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode, body }));
    });
    req.on('error', reject);
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.end();
  });
}

/**
 * Polls `port` every `intervalMs` until GET answers 200; returns the body. `requestMs`:
 * how long one GET may wait for its answer (a listener that accepts and never answers
 * costs that much per try).
 */
export async function pollFirstAnswer(
  port,
  { intervalMs = 1, deadlineMs = 10_000, host, requestMs = 2000 } = {},
) {
  const deadline = performance.now() + deadlineMs;
  for (;;) {
    try {
      const r = await httpGet(port, '/', host, requestMs);
      if (r.status === 200) return r.body;
    } catch {
      // not yet
    }
    if (performance.now() > deadline)
      throw new Error(`port ${port}: no answer within ${deadlineMs} ms`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

export function loopbackPort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/** A prefix dir with an nginx.conf listening on 127.0.0.1:port; `cleanup()` removes it. */
export function rawNginxConfig(port, { body = 'raw' } = {}) {
  const prefix = mkdtempSync(join(tmpdir(), 'rebind-bench-nginx-'));
  const conf = join(prefix, 'nginx.conf');
  writeFileSync(
    conf,
    `daemon off; worker_processes 1; pid ${prefix}/nginx.pid; error_log ${prefix}/error.log;
events { worker_connections 64; }
http { access_log off;
  client_body_temp_path ${prefix}/cb; proxy_temp_path ${prefix}/p; fastcgi_temp_path ${prefix}/f;
  uwsgi_temp_path ${prefix}/u; scgi_temp_path ${prefix}/s;
  server { listen 127.0.0.1:${port}; location / { return 200 "${body}"; } } }\n`,
  );
  return { prefix, conf, cleanup: () => rmSync(prefix, { recursive: true, force: true }) };
}

/** One raw cycle: spawn, first answer, QUIT, exit. */
export async function rawNginxCycle(binary, { prefix, conf }, port) {
  const child = spawn(binary, ['-p', prefix, '-c', conf, '-e', `${prefix}/error.log`], {
    stdio: 'ignore',
  });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  try {
    await Promise.race([
      pollFirstAnswer(port),
      exited.then(() => Promise.reject(new Error('nginx exited early'))),
    ]);
  } finally {
    child.kill('SIGQUIT');
    await exited;
  }
}
