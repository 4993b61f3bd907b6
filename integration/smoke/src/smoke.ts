// The infrastructure smoke: the machine's nginx on a loopback port with a generated
// config, and a container from the offline nginx image with a published port. Each is
// started, answers one request, and is removed. Used by the integration test and by
// `npm run demo`.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectDocker } from '@rebind/docker';
import { findNginx } from '@rebind/nginx';

export interface SmokeResult {
  readonly what: string;
  readonly url: string;
  readonly body: string;
  readonly startMs: number;
  readonly stopMs: number;
}

/** A loopback port the kernel says is free right now (the allocator replaces this). */
async function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/** GETs `url` until it answers 200 or `deadline` passes; `alive()` false stops early. */
async function firstAnswer(
  url: string,
  deadline: number,
  alive: () => string | undefined,
): Promise<string> {
  for (;;) {
    const dead = alive();
    if (dead !== undefined) throw new Error(dead);
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(1000) });
      const body = await response.text();
      if (response.status === 200) return body;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`${url} did not answer 200 within the deadline`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

export async function smokeNginx(): Promise<SmokeResult> {
  const nginx = await findNginx();
  const prefix = await mkdtemp(join(tmpdir(), 'rebind-smoke-nginx-'));
  try {
    const port = await freeLoopbackPort();
    const token = randomBytes(8).toString('hex');
    const conf = join(prefix, 'nginx.conf');
    await writeFile(
      conf,
      [
        'daemon off;',
        'worker_processes 1;',
        `pid ${prefix}/nginx.pid;`,
        `error_log ${prefix}/error.log notice;`,
        'events { worker_connections 64; }',
        'http {',
        '  access_log off;',
        ...['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map(
          (t) => `  ${t}_temp_path ${prefix}/${t}_temp;`,
        ),
        '  server {',
        `    listen 127.0.0.1:${port};`,
        `    location / { default_type text/plain; return 200 "rebind-smoke ${token}\\n"; }`,
        '  }',
        '}',
      ].join('\n'),
    );
    const args = [
      '-p',
      prefix,
      '-c',
      conf,
      ...(nginx.supportsErrorLogFlag ? ['-e', `${prefix}/error.log`] : []),
    ];
    const started = performance.now();
    const child = spawn(nginx.path, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    let exitNote: string | undefined;
    child.once(
      'exit',
      (code, signal) =>
        (exitNote = `nginx exited (code ${code}, signal ${signal}) before answering:\n${output}`),
    );
    const url = `http://127.0.0.1:${port}/`;
    try {
      const body = await firstAnswer(url, Date.now() + 10_000, () => exitNote);
      if (!body.includes(token))
        throw new Error(`${url} answered without this instance's token: ${body}`);
      const startMs = performance.now() - started;
      const stopping = performance.now();
      child.kill('SIGQUIT');
      await exited;
      return {
        what: `nginx ${nginx.version} (${nginx.path})`,
        url,
        body: body.trim(),
        startMs,
        stopMs: performance.now() - stopping,
      };
    } finally {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGKILL');
        await exited;
      }
    }
  } finally {
    await rm(prefix, { recursive: true, force: true });
  }
}

export const SMOKE_LABEL = 'rebind.smoke';

export async function smokeContainer(image = 'rebind/nginx:test'): Promise<SmokeResult> {
  const { docker, host } = await connectDocker();
  const name = `rebind-smoke-${process.pid}-${randomBytes(4).toString('hex')}`;
  const started = performance.now();
  const container = await docker.createContainer({
    name,
    Image: image,
    Labels: { [SMOKE_LABEL]: String(process.pid) },
    ExposedPorts: { '80/tcp': {} },
    HostConfig: { PortBindings: { '80/tcp': [{ HostIp: '127.0.0.1', HostPort: '' }] } },
  });
  try {
    await container.start();
    const info = await container.inspect();
    const hostPort = info.NetworkSettings.Ports['80/tcp']?.[0]?.HostPort;
    if (hostPort === undefined)
      throw new Error(`container ${name} published no host port for 80/tcp`);
    const url = `http://${host}:${hostPort}/`;
    const body = await firstAnswer(url, Date.now() + 15_000, () => undefined);
    if (!body.includes(info.Config.Hostname))
      throw new Error(`${url} answered, but not from ${name}: ${body}`);
    const startMs = performance.now() - started;
    const stopping = performance.now();
    await container.remove({ force: true });
    return {
      what: `container ${name} from ${image}`,
      url,
      body: body.trim(),
      startMs,
      stopMs: performance.now() - stopping,
    };
  } finally {
    await container.remove({ force: true }).catch(() => undefined);
  }
}
