// The spawner process (spawned by spawner.ts, one per owner): starts the commands its
// owner asks for as its own direct children, so that each fork copies this small process
// rather than the owner (a test runner's main process, whose fork costs more in page
// tables and blocks its event loop until the child has exec'd). Commands arrive as JSON
// lines on stdin, a pipe from the owner; pids, output and exits go back as JSON lines on
// stdout. Its children are waited on here, so their exit is an event at once. When the
// owner's pipe closes (the owner exited or was killed), or on SIGTERM/SIGINT/SIGHUP, it
// SIGKILLs every child's process group, waits for them, then exits. A request may ask for
// the process forked ahead for its owner's handle (prepared-processes.ts). node:child_process
// only (and owner-lines.ts, prepared-processes.ts).
import { spawn, type ChildProcess } from 'node:child_process';
import { readOwnerLines } from './owner-lines.js';
import { PreparedProcesses } from './prepared-processes.js';

interface SpawnRequest {
  readonly i: number;
  readonly command: string;
  readonly args: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  readonly cwd?: string;
  /** The owner's handle whose prepared process may carry this start. */
  readonly prepared?: string;
}

/** Fork a process for the handle's next start (`q: 1`), or end the one it has (`q: -1`). */
type PrepareRequest =
  | {
      readonly q: 1;
      readonly h: string;
      readonly command: string;
      readonly env: Readonly<Record<string, string>>;
      readonly cwd?: string;
    }
  | { readonly q: -1; readonly h: string };

const prepared = new PreparedProcesses();
const children = new Map<number, ChildProcess>();
let ending = false;

const send = (message: object) => process.stdout.write(`${JSON.stringify(message)}\n`);

function start(request: SpawnRequest): void {
  const { i } = request;
  let child: ChildProcess;
  try {
    child =
      (request.prepared === undefined ? undefined : prepared.take(request.prepared, request)) ??
      spawn(request.command, [...request.args], {
        cwd: request.cwd,
        env: request.env,
        detached: true,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
  } catch (error) {
    const { message, code } = error as NodeJS.ErrnoException;
    send({ i, e: { message, code } });
    return;
  }
  child.once('error', (error: NodeJS.ErrnoException) => {
    children.delete(i);
    send({ i, e: { message: error.message, code: error.code } });
  });
  if (child.pid === undefined) return; // 'error' follows
  children.set(i, child);
  send({ i, p: child.pid });
  for (const [stream, n] of [
    ['stdout', 1],
    ['stderr', 2],
  ] as const) {
    child[stream]?.setEncoding('utf8');
    child[stream]?.on('data', (d: string) => send({ i, s: n, d }));
  }
  child.once('exit', (code, signal) => {
    children.delete(i);
    send({ i, x: [code, signal] });
    if (ending && children.size === 0) process.exit(0);
  });
}

function apply(line: string): void {
  if (line === '' || ending) return;
  try {
    const request = JSON.parse(line) as SpawnRequest | PrepareRequest;
    if (!('q' in request)) start(request);
    else if (request.q === 1)
      prepared.prepare(request.h, request.command, request.env, request.cwd);
    else prepared.drop(request.h);
  } catch {
    // not a request
  }
}

function end(): void {
  if (ending) return;
  ending = true;
  prepared.dropAll();
  for (const child of children.values()) {
    try {
      process.kill(-(child.pid as number), 'SIGKILL');
    } catch {
      // already gone
    }
  }
  if (children.size === 0) process.exit(0);
  setTimeout(() => process.exit(0), 5000).unref();
}

readOwnerLines(apply, end);
// The owner is gone: nobody reads what is written any more.
process.stdout.on('error', end);
for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) process.on(signal, end);
send({ r: 1 });
