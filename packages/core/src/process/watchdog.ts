import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createLogger } from '../logger.js';

/** An HTTP request the watchdog performs when the owner dies (for example a container removal). */
export interface GuardedRequest {
  /** A Unix socket to send it to (the Docker engine's), instead of host and port. */
  readonly socketPath?: string;
  readonly host?: string;
  readonly port?: number;
  /** `DELETE` */
  readonly method: string;
  /** `/containers/<id>?force=true&v=true` */
  readonly path: string;
}

/**
 * The owner's watchdog: a separate small process holding a pipe to this one. When this
 * process dies by any means (SIGKILL included) or exits, it SIGKILLs every guarded process
 * group and performs every guarded request, then exits.
 */
export interface Watchdog {
  /** The watchdog process's pid. */
  readonly pid: number;
  /** Guards process group `pgid`; the function returned unguards it. */
  guardProcessGroup(pgid: number): () => void;
  /** Guards a clean-up request; the function returned unguards it. */
  guardRequest(request: GuardedRequest): () => void;
  /** Guards a directory (removed recursively after the groups are killed); returns the unguard. */
  guardDirectory(path: string): () => void;
}

const log = createLogger('watchdog');
type Guard = { readonly pg: number } | { readonly req: GuardedRequest } | { readonly dir: string };
const guards = new Map<number, Guard>();
let nextId = 1;
let child: ChildProcess | undefined;
let current: Watchdog | undefined;

function mainPath(): string {
  const sibling = fileURLToPath(new URL('./watchdog-main.js', import.meta.url));
  if (existsSync(sibling)) return sibling;
  // Running from src/ (tests): use the built copy.
  return fileURLToPath(new URL('../../dist/process/watchdog-main.js', import.meta.url));
}

function send(id: number, guard: Guard | undefined): void {
  const line = guard === undefined ? { u: id } : { g: id, ...guard };
  child?.stdin?.write(`${JSON.stringify(line)}\n`);
}

function launch(): Watchdog {
  const env = { ...process.env };
  delete env.NODE_OPTIONS;
  const proc = spawn(process.execPath, [mainPath()], {
    detached: true,
    stdio: ['pipe', 'ignore', 'ignore'],
    env,
  });
  child = proc;
  proc.unref();
  const stdin = proc.stdin as unknown as { unref?: () => void } | null;
  stdin?.unref?.();
  proc.stdin?.on('error', () => undefined);
  proc.once('exit', (code, signal) => {
    log('watchdog %d exited (%s)', proc.pid, signal ?? code);
    if (child === proc) {
      child = undefined;
      current = undefined;
    }
  });
  proc.once('error', (error) => log('watchdog failed: %s', error.message));
  log('watchdog %d started', proc.pid);
  for (const [id, guard] of guards) send(id, guard);
  const guard = (g: Guard) => {
    const id = nextId++;
    guards.set(id, g);
    ensure();
    send(id, g);
    return () => {
      if (guards.delete(id)) send(id, undefined);
    };
  };
  return {
    pid: proc.pid ?? 0,
    guardProcessGroup: (pgid) => guard({ pg: pgid }),
    guardRequest: (req) => guard({ req }),
    guardDirectory: (dir) => guard({ dir }),
  };
}

/** Respawns the watchdog (re-sending live guards) if it died. */
function ensure(): Watchdog {
  current ??= launch();
  return current;
}

/**
 * The watchdog of this process, spawned on first use (`process.execPath`, detached, a
 * stdin pipe from this process). It is unref'd: it never keeps this process alive.
 */
export function getWatchdog(): Promise<Watchdog> {
  return Promise.resolve(ensure());
}
