// The watchdog process (spawned by watchdog.ts, one per owner): reads guard commands as
// JSON lines on stdin, a pipe from its owner. When that pipe closes (the owner exited or
// was killed, SIGKILL included), it SIGKILLs every guarded process group, removes every
// guarded directory, performs every guarded HTTP request, then exits. Kept tiny so that it
// starts fast: node:fs and node:http only.
import { rmSync } from 'node:fs';
import { readOwnerLines } from './owner-lines.js';
import { request } from 'node:http';

interface GuardedRequest {
  readonly socketPath?: string;
  readonly host?: string;
  readonly port?: number;
  readonly method: string;
  readonly path: string;
}

type Command =
  | { readonly g: number; readonly pg: number }
  | { readonly g: number; readonly dir: string }
  | { readonly g: number; readonly req: GuardedRequest }
  | { readonly u: number };

const groups = new Map<number, number>();
const requests = new Map<number, GuardedRequest>();
const dirs = new Map<number, string>();
let done = false;

function apply(line: string): void {
  if (line === '') return;
  let command: Command;
  try {
    command = JSON.parse(line) as Command;
  } catch {
    return;
  }
  if ('u' in command) {
    groups.delete(command.u);
    requests.delete(command.u);
    dirs.delete(command.u);
  } else if ('pg' in command) groups.set(command.g, command.pg);
  else if ('dir' in command) dirs.set(command.g, command.dir);
  else requests.set(command.g, command.req);
}

function perform(req: GuardedRequest): Promise<void> {
  return new Promise((resolve) => {
    const r = request(
      {
        socketPath: req.socketPath,
        host: req.host,
        port: req.port,
        method: req.method,
        path: req.path,
        timeout: 10_000,
      },
      (res) => {
        res.resume();
        res.on('end', resolve);
        res.on('error', () => resolve());
      },
    );
    r.on('error', () => resolve());
    r.on('timeout', () => r.destroy());
    r.end();
  });
}

function cleanUp(): void {
  if (done) return;
  done = true;
  for (const pgid of groups.values()) {
    try {
      process.kill(-pgid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  for (const dir of dirs.values()) {
    try {
      rmSync(dir, { recursive: true, force: true });
    } catch {
      // best effort
    }
  }
  const all = [...requests.values()].map(perform);
  const exit = () => process.exit(0);
  setTimeout(exit, 15_000).unref();
  void Promise.all(all).then(exit);
}

readOwnerLines(apply, (rest) => {
  apply(rest);
  cleanUp();
});
for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) process.on(signal, cleanUp);
