// Real sockets, real processes, a real container: helpers that stage them and always end them.
import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, cpSync, mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll } from 'vitest';

export const cli = fileURLToPath(new URL('../../../packages/cli/dist/bin.js', import.meta.url));

const children = new Set<ChildProcess>();

/** Ends every child a test started (SIGKILL, by pid) and waits for the exits. */
export async function killChildren(): Promise<void> {
  await Promise.all(
    [...children].map(
      (child) =>
        new Promise<void>((resolve) => {
          children.delete(child);
          if (child.exitCode !== null || child.signalCode !== null) return resolve();
          child.once('exit', () => resolve());
          child.kill('SIGKILL');
        }),
    ),
  );
}

export interface Staged {
  readonly pid: number;
  readonly child: ChildProcess;
  /** The first line the child printed. */
  readonly line: string;
  readonly exited: Promise<unknown>;
  kill(): Promise<void>;
}

/** Spawns `command`, resolves at its first stdout line ("ready"). */
export function stage(command: string, args: readonly string[]): Promise<Staged> {
  return start(command, args).ready;
}

/** Spawns `command`: its pid at once, and the first stdout line when it comes. */
export function start(
  command: string,
  args: readonly string[],
): { pid: number; ready: Promise<Staged> } {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  const exited = new Promise((resolve) => child.once('exit', resolve));
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += String(d)));
  const ready = new Promise<Staged>((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (d: Buffer) => {
      out += String(d);
      const newline = out.indexOf('\n');
      if (newline < 0) return;
      resolve({
        pid: child.pid as number,
        child,
        line: out.slice(0, newline),
        exited,
        kill: () =>
          new Promise<void>((r) => {
            if (child.exitCode !== null || child.signalCode !== null) return r();
            child.once('exit', () => r());
            child.kill('SIGKILL');
          }),
      });
    });
    child.once('exit', (code) =>
      reject(new Error(`${command} exited (${code}) before it was ready: ${stderr}`)),
    );
  });
  return { pid: child.pid as number, ready };
}

/** A Node child listening on `host:port` (port 0: any); its first line is the port. */
export function nodeListener(port: number, host: string, extra = ''): Promise<Staged> {
  return stage(process.execPath, [
    '-e',
    `const s = require('net').createServer((c) => c.on('error', () => {})); ${extra}
     s.listen(${JSON.stringify(port)}, ${JSON.stringify(host)}, () => console.log(s.address().port ?? s.address()));`,
  ]);
}

/** python3 -c `script` (it prints a line when ready). */
export function python(script: string, ...args: string[]): Promise<Staged> {
  return stage('python3', ['-c', script, ...args]);
}

/** A free port on loopback (listen(0) then close). */
export async function freePort(host = '127.0.0.1'): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((r) => server.listen(0, host, r));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((r) => server.close(r));
  return port;
}

/** The error a Node server gets binding `host:port`, or undefined when it could bind. */
export async function nodeBindError(
  port: number | string,
  host?: string,
): Promise<string | undefined> {
  const server = net.createServer();
  return new Promise((resolve) => {
    server.once('error', (error) => resolve(error.message));
    const done = () => server.close(() => resolve(undefined));
    if (typeof port === 'string') server.listen(port, done);
    else server.listen(port, host, done);
  });
}

/** `setpriv` arguments that run `argv` as `uid` (group `uid`, no supplementary groups). */
export function asUser(uid: number, argv: readonly string[]): [string, string[]] {
  return ['setpriv', ['--reuid', String(uid), '--regid', String(uid), '--clear-groups', ...argv]];
}

/** Stages a `node -e <script>` as the unprivileged uid 65534 (nobody). */
export function stageAsNobody(script: string): Promise<Staged> {
  return stage(...asUser(65534, [process.execPath, '-e', script]));
}

let readable: string | undefined;
// registered when a test file imports these helpers: the copy goes with the file's run
afterAll(() => {
  if (readable !== undefined) rmSync(readable, { recursive: true, force: true });
  readable = undefined;
});

/**
 * A copy of the built CLI and what it loads (@rebind/core, debug, ms) in a temp dir every
 * user can read: the clone may sit under a directory another uid cannot enter (root's home
 * is 0700). Made once per test file, removed after it.
 */
function readableCli(): string {
  if (readable !== undefined) return readable;
  const dir = mkdtempSync(join(tmpdir(), 'rebind-cli-'));
  chmodSync(dir, 0o755);
  const repo = fileURLToPath(new URL('../../../', import.meta.url));
  const fromCore = createRequire(join(repo, 'packages/core/package.json'));
  const debug = dirname(fromCore.resolve('debug/package.json'));
  const ms = dirname(createRequire(join(debug, 'package.json')).resolve('ms/package.json'));
  for (const [from, to] of [
    ['packages/cli', '@rebind/cli'],
    ['packages/core', '@rebind/core'],
  ] as const)
    for (const entry of ['package.json', 'dist'])
      cpSync(join(repo, from, entry), join(dir, 'node_modules', to, entry), { recursive: true });
  cpSync(debug, join(dir, 'node_modules/debug'), { recursive: true });
  cpSync(ms, join(dir, 'node_modules/ms'), { recursive: true });
  readable = dir;
  return dir;
}

/**
 * `rebind <args>` with the built CLI; resolves to exit code and output. As another uid it
 * runs {@link readableCli}'s copy, from that directory.
 */
export function rebind(
  args: readonly string[],
  asUid?: number,
): Promise<{ code: number; stdout: string; stderr: string }> {
  const copy = asUid === undefined ? undefined : readableCli();
  const [command, argv] =
    asUid === undefined || copy === undefined
      ? [process.execPath, [cli, ...args]]
      : asUser(asUid, [
          process.execPath,
          join(copy, 'node_modules/@rebind/cli/dist/bin.js'),
          ...args,
        ]);
  return new Promise((resolve) => {
    execFile(command, argv, { cwd: copy }, (error, stdout, stderr) => {
      resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

/** The sockets `ss` itself lists with local port `port`: state, local, peer (its own spelling). */
export function ssRows(port: number): string[] {
  return execFileSync('ss', ['-Htan', `sport = :${port}`], { encoding: 'utf8' })
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [state, , , local, peer] = line.trim().split(/\s+/);
      return `${state} ${local} ${peer}`;
    })
    .sort();
}

/** ss's spelling of one of our sockets, for comparison with {@link ssRows}. */
export function ssSpelling(s: {
  state: string;
  family: 4 | 6;
  localAddress: string;
  localPort: number;
  remoteAddress: string;
  remotePort: number;
  v6Only?: boolean;
}): string {
  const states: Record<string, string> = {
    ESTABLISHED: 'ESTAB',
    TIME_WAIT: 'TIME-WAIT',
    CLOSE_WAIT: 'CLOSE-WAIT',
    FIN_WAIT2: 'FIN-WAIT-2',
    FIN_WAIT1: 'FIN-WAIT-1',
    LAST_ACK: 'LAST-ACK',
    SYN_SENT: 'SYN-SENT',
    SYN_RECV: 'SYN-RECV',
    LISTEN: 'LISTEN',
    CLOSING: 'CLOSING',
  };
  const end = (address: string, port: number, local: boolean) => {
    const p = port === 0 ? '*' : String(port);
    if (s.family === 4) return `${address}:${p}`;
    if (address === '::' && s.v6Only === false) return `*:${p}`;
    if (address === '::' && !local && s.state === 'LISTEN') return `[::]:${p}`;
    return `[${address}]:${p}`;
  };
  return `${states[s.state]} ${end(s.localAddress, s.localPort, true)} ${end(s.remoteAddress, s.remotePort, false)}`;
}

export function docker(...args: string[]): string {
  return execFileSync('docker', args, { encoding: 'utf8' }).trim();
}
