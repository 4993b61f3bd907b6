import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { capture } from '../../test/capture-io.js';
import type { ExplainedFailure } from '../failure-report.js';
import { main } from '../main.js';

const bin = fileURLToPath(new URL('../../dist/bin.js', import.meta.url));
const run = promisify(execFile);
const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** Starts a real holder and resolves to the port it printed. */
async function holder(
  command: string,
  args: string[],
  pattern: RegExp,
): Promise<[ChildProcess, number]> {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  cleanups.push(async () => {
    child.kill();
    if (child.exitCode === null) await new Promise((r) => child.once('exit', r));
  });
  let out = '';
  const port = await new Promise<number>((resolve, reject) => {
    const read = (d: Buffer) => {
      out += String(d);
      const m = pattern.exec(out);
      if (m) resolve(Number(m[1]));
    };
    child.stdout?.on('data', read);
    child.stderr?.on('data', read);
    child.once('exit', () => reject(new Error(`holder exited: ${out}`)));
  });
  return [child, port];
}

async function logFile(text: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'rebind-explain-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  const file = join(dir, 'server.log');
  await writeFile(file, text);
  return file;
}

describe('rebind explain', () => {
  it('names a Python server as the live holder, whatever the log format', async () => {
    const [py, port] = await holder(
      'python3',
      ['-u', '-m', 'http.server', '0', '--bind', '127.0.0.1'],
      /port (\d+)/,
    );
    const formats = [
      `2022/05/06 18:13:12 ERR listen tcp 127.0.0.1:${port}: bind: address already in use`,
      `Web server failed to start. Port ${port} was already in use.`,
      `System.IO.IOException: Failed to bind to address http://127.0.0.1:${port}: address already in use.`,
      `nginx: [emerg] bind() to 127.0.0.1:${port} failed (98: Address already in use)`,
    ];
    for (const line of formats) {
      const file = await logFile(`starting at 12:00:01\n${line}\nexiting (pid 4242)\n`);
      const c = capture();
      expect(await main(['explain', file, '--json'], c.io)).toBe(0);
      const [entry, ...more] = JSON.parse(c.out.stdout) as ExplainedFailure[];
      expect(more).toEqual([]);
      expect(entry).toMatchObject({
        line: 2,
        port,
        cause: 'in-use',
        diagnosis: 'another-process',
        fix: `kill ${py.pid}   # only if it is yours; then: rebind wait ${port} --free`,
        holders: [{ pid: py.pid, commandLine: expect.stringContaining('http.server') as string }],
        verdict: 'listening',
      });
    }
    // the same through stdin, in the human form, from the built command
    const uvicorn = `ERROR:    [Errno 98] error while attempting to bind on address ('127.0.0.1', ${port}): address already in use\n`;
    const out = await new Promise<string>((resolve, reject) => {
      const child = execFile(process.execPath, [bin, 'explain', '-'], (error, stdout) =>
        error ? reject(error) : resolve(stdout),
      );
      child.stdin?.end(uvicorn);
    });
    const lines = out.split('\n');
    expect(lines[0]).toBe(`line 1: port ${port} on 127.0.0.1: in-use (EADDRINUSE)`);
    expect(lines[2]).toMatch(
      new RegExp(
        `^  holder now: pid ${py.pid} \\(\\w+\\): .*http\\.server 0 --bind 127\\.0\\.0\\.1$`,
      ),
    );
    expect(lines[4]).toBe(
      `  fix: kill ${py.pid}   # only if it is yours; then: rebind wait ${port} --free`,
    );
  });

  it('names the container that publishes the port', async () => {
    const name = `rebind-explain-${process.pid}-${randomBytes(3).toString('hex')}`;
    await run('docker', [
      'run',
      '-d',
      '--rm',
      '--name',
      name,
      '--label',
      'rebind.test=cli-explain',
      '-p',
      '127.0.0.1:0:80',
      'rebind/busybox:test',
      'httpd',
      '-f',
      '-p',
      '80',
    ]);
    cleanups.push(() => run('docker', ['rm', '-f', name]).catch(() => undefined));
    const { stdout } = await run('docker', ['port', name, '80/tcp']);
    const port = Number(/:(\d+)\s*$/m.exec(stdout)?.[1]);
    const file = await logFile(
      [
        `Creating ${name}-2 ... error`,
        `ERROR: for web  Cannot start service web: driver failed programming external connectivity on endpoint ${name}-2 (3b8469d29f89): Bind for 127.0.0.1:${port} failed: port is already allocated`,
        'ERROR: Encountered errors while bringing up the project.',
      ].join('\n'),
    );
    const c = capture();
    expect(await main(['explain', file, '--json'], c.io)).toBe(0);
    const [entry] = JSON.parse(c.out.stdout) as ExplainedFailure[];
    expect(entry).toMatchObject({
      port,
      host: '127.0.0.1',
      cause: 'in-use',
      diagnosis: 'container',
      fix: `docker rm -f ${name}`,
    });
    expect(entry?.holders.some((h) => h.container?.name === name)).toBe(true);
  });

  it('reports every failure of a long log once, exits 1 on none and 2 on bad usage', async () => {
    const [node, port] = await holder(
      process.execPath,
      [
        '-e',
        "const s=require('net').createServer().listen(0,'127.0.0.1',()=>console.log('port',s.address().port))",
      ],
      /port (\d+)/,
    );
    const noise = Array.from({ length: 5000 }, (_, i) => `[${i}] GET /item/${i} 200 12ms`);
    const file = await logFile(
      [
        ...noise.slice(0, 2500),
        `Error: listen EADDRINUSE: address already in use 127.0.0.1:${port}`,
        `Error: listen EADDRINUSE: address already in use 127.0.0.1:${port}`,
        ...noise.slice(2500),
        'OSError: [Errno 13] Permission denied',
      ].join('\n'),
    );
    const c = capture();
    expect(await main(['explain', file, '--json'], c.io)).toBe(0);
    const entries = JSON.parse(c.out.stdout) as ExplainedFailure[];
    expect(entries.map((e) => [e.line, e.port, e.cause, e.holders[0]?.pid])).toEqual([
      [2501, port, 'in-use', node.pid],
      [5003, null, 'permission', undefined],
    ]);
    const none = capture();
    expect(await main(['explain', await logFile('all good\n')], none.io)).toBe(1);
    expect(none.out.stderr).toBe('rebind explain: no bind failure found.\n');
    const bad = capture();
    expect(await main(['explain', '/nonexistent/rebind.log'], bad.io)).toBe(2);
    expect(bad.out.stderr).toBe(
      'rebind explain: Expected the `FILE` option to be a readable file (or - for stdin), got `/nonexistent/rebind.log` (string).\n',
    );
    const two = capture();
    expect(await main(['explain', 'a', 'b'], two.io)).toBe(2);
  });
});
