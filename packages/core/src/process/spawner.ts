// The owner's side of the spawner process (spawner-main.ts): a small Node child, started
// on first use, that forks the commands this process starts. On Linux libuv forks (no
// posix_spawn, no vfork in Node 20), and a fork copies the parent's page tables while
// the parent's event loop waits for the child's exec: from a test runner's main process
// (Vitest's: ~150 MB) that costs about twice the CPU of a fork from a small one.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createLogger } from '../logger.js';
import { isRunning } from '../proc/process-tree.js';
import { lineSplitter } from './owner-lines.js';

/** What a spawned command reports, in order: its pid (or a spawn error), output, exit. */
export interface SpawnEvents {
  readonly output: (chunk: string, stream: 'stdout' | 'stderr') => void;
  readonly exit: (code: number | null, signal: NodeJS.Signals | null) => void;
}

export interface SpawnRequest {
  readonly command: string;
  readonly args: readonly string[];
  /** The whole environment of the command. */
  readonly env: Readonly<Record<string, string>>;
  readonly cwd?: string;
  /** A handle's id: its prepared process (see `prepare`) carries this start when it can. */
  readonly prepared?: string;
}

interface Entry {
  readonly events: SpawnEvents;
  pid?: number;
  started: (pid: number) => void;
  failed: (error: Error) => void;
}

type Message =
  | { readonly r: 1 }
  | { readonly i: number; readonly p: number }
  | { readonly i: number; readonly e: { message: string; code?: string } }
  | { readonly i: number; readonly s: 1 | 2; readonly d: string }
  | { readonly i: number; readonly x: [number | null, NodeJS.Signals | null] };

const log = createLogger('spawner');
let current: Spawner | undefined;

function mainPath(): string {
  const sibling = fileURLToPath(new URL('./spawner-main.js', import.meta.url));
  if (existsSync(sibling)) return sibling;
  // Running from src/ (tests): use the built copy.
  return fileURLToPath(new URL('../../dist/process/spawner-main.js', import.meta.url));
}

/**
 * This process's spawner, when a command with these extra fds is started through it:
 * on Linux, with no fds to hand over, once the spawner is up. The first call starts it in
 * the background (a Node process takes ~40 ms to start): until it is up, commands are
 * spawned here, so that no start waits for it.
 */
export function readySpawner(extraFds: readonly number[] | undefined): Spawner | undefined {
  if (process.platform !== 'linux' || (extraFds ?? []).length > 0) return undefined;
  current ??= new Spawner();
  return current.ready ? current : undefined;
}

/** Ends the shell forked ahead for `id` (startProcess's `prefork`), if there is one. */
export function dropPrefork(id: string): void {
  if (current?.ready === true) current.prepare(id, 'drop');
}

/** Starts this process's spawner if it is not running; resolves once it is up. */
export function warmSpawner(): Promise<void> {
  current ??= new Spawner();
  return current.up;
}

export class Spawner {
  ready = false;
  /** Resolves once the spawner reads requests (never rejects). */
  readonly up: Promise<void>;
  #up: () => void = () => undefined;
  readonly #proc: ChildProcess;
  readonly #entries = new Map<number, Entry>();
  #next = 1;

  constructor() {
    this.up = new Promise((resolve) => (this.#up = resolve));
    const env = { ...process.env };
    delete env.NODE_OPTIONS;
    this.#proc = spawn(process.execPath, [mainPath()], {
      detached: true,
      stdio: ['pipe', 'pipe', 'ignore'],
      env,
    });
    this.#proc.unref();
    this.#proc.stdin?.on('error', () => undefined);
    (this.#proc.stdin as unknown as { unref?: () => void } | null)?.unref?.();
    this.#proc.stdout?.setEncoding('utf8');
    const lines = lineSplitter((line) => this.#read(line));
    this.#proc.stdout?.on('data', (chunk: string) => lines.push(chunk));
    this.#unref();
    this.#proc.once('exit', (code, signal) => this.#lost(`exited (${signal ?? code})`));
    this.#proc.once('error', (error) => this.#lost(error.message));
    log('spawner %d started', this.#proc.pid);
  }

  /**
   * Starts `request`; resolves to the command's pid, or rejects with the spawn error
   * (`code` ENOENT...). The command is the spawner's child, in a process group of its own
   * (pgid = pid), like a `detached` spawn.
   */
  spawn(request: SpawnRequest, events: SpawnEvents): Promise<number> {
    const i = this.#next++;
    return new Promise<number>((started, failed) => {
      this.#entries.set(i, { events, started, failed });
      // While a command runs it keeps this process alive, as a child of its own would.
      if (this.#entries.size === 1) this.#ref();
      this.#proc.stdin?.write(`${JSON.stringify({ i, ...request })}\n`);
    });
  }

  /**
   * Forks a process that waits to exec handle `h`'s next start of `command` in `cwd`
   * (a start with `prepared: h` then skips the fork), replacing the one `h` had; `drop`
   * ends it. The process is the spawner's child; it exits when the spawner does.
   */
  prepare(h: string, request: Pick<SpawnRequest, 'command' | 'env' | 'cwd'> | 'drop'): void {
    const line = request === 'drop' ? { q: -1, h } : { q: 1, h, ...request };
    this.#proc.stdin?.write(`${JSON.stringify(line)}\n`);
  }

  #ref(): void {
    (this.#proc.stdout as unknown as { ref?: () => void } | null)?.ref?.();
  }

  #unref(): void {
    (this.#proc.stdout as unknown as { unref?: () => void } | null)?.unref?.();
  }

  #done(i: number): void {
    this.#entries.delete(i);
    if (this.#entries.size === 0) this.#unref();
  }

  #read(line: string): void {
    const message = JSON.parse(line) as Message;
    if ('r' in message) {
      this.ready = true;
      this.#up();
      return;
    }
    const entry = this.#entries.get(message.i);
    if (entry === undefined) return;
    if ('p' in message) {
      entry.pid = message.p;
      entry.started(message.p);
    } else if ('s' in message)
      entry.events.output(message.d, message.s === 1 ? 'stdout' : 'stderr');
    else if ('x' in message) {
      this.#done(message.i);
      entry.events.exit(...message.x);
    } else {
      this.#done(message.i);
      entry.failed(Object.assign(new Error(message.e.message), { code: message.e.code }));
    }
  }

  /**
   * The spawner is gone (killed from outside): its commands are orphans now, reaped late
   * by PID 1. Each is SIGKILLed (its whole group) and reported exited once it is no longer
   * running (a zombie holds nothing); the next spawn starts a new spawner.
   */
  #lost(why: string): void {
    if (current === this) current = undefined;
    this.#up();
    log('spawner %d %s; %d command(s) were running', this.#proc.pid, why, this.#entries.size);
    for (const [i, entry] of this.#entries) {
      this.#done(i);
      if (entry.pid === undefined) {
        entry.failed(new Error(`rebind's spawner process ${why} before the command started`));
        continue;
      }
      const pid = entry.pid;
      try {
        process.kill(-pid, 'SIGKILL');
      } catch {
        // already gone
      }
      const poll = () => {
        if (isRunning(pid)) setTimeout(poll, 5);
        else entry.events.exit(null, 'SIGKILL');
      };
      poll();
    }
  }
}
