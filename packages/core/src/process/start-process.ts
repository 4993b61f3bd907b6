import { basename } from 'node:path';
import { createLogger } from '../logger.js';
import { ProcessRun, commandText } from './process-run.js';
import type { ReadyCheck } from './readiness.js';
import type { StopOptions } from './stop-tree.js';
import { invalidOption, throwIfAborted, validateSignal, validateTimeout } from '../validate.js';
import { exitedError, waitReady } from './wait-ready.js';
import { getWatchdog } from './watchdog.js';
import { Serial } from '../restart/serial.js';

export interface StartProcessOptions {
  /** The program: a path or a name looked up on PATH (no shell). */
  readonly command: string;
  /** @default [] */
  readonly args?: readonly string[];
  readonly cwd?: string;
  /** Variables added to (or, `undefined`, removed from) `process.env`. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** What proves the process ready. @default none: ready once spawned */
  readonly ready?: ReadyCheck;
  /** Ms to wait for readiness before `REBIND_START_TIMEOUT`. @default 30000 */
  readonly readyTimeout?: number;
  /** Ms between polls of a `tcp`, `http` or `check` readiness. @default 1, doubling to 20 */
  readonly readyInterval?: number;
  /** How `stop()` stops the tree (a failed start is SIGKILLed at once). @default SIGTERM, SIGKILL after 5000 ms */
  readonly stop?: StopOptions;
  /** Open file descriptors (or handles) given to the child as fds 3, 4, ... */
  readonly extraFds?: readonly number[];
  /** Bytes of combined stdout and stderr kept for `output()` and errors. @default 65536 */
  readonly outputLimit?: number;
  /** Called with each chunk of output as it arrives. */
  readonly onOutput?: (chunk: string, stream: 'stdout' | 'stderr') => void;
  /** Guard the process group with the owner's watchdog. @default true */
  readonly watchdog?: boolean;
  /** Aborts the start (the process is stopped, then `REBIND_ABORTED`). */
  readonly signal?: AbortSignal;
}

export interface ProcessExit {
  /** Exit code, or null when ended by a signal. */
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

/** A started process tree (its own process group). */
export interface StartedProcess {
  /** Pid of the process (also its process group id). Changes on `restart()`. */
  readonly pid: number;
  /** Combined stdout and stderr of the current run (the last `outputLimit` bytes). */
  output(): string;
  /** Resolves (never rejects) when the current run's process exits. */
  readonly exited: Promise<ProcessExit>;
  /** Stops the whole tree, then starts the command again and waits for readiness. */
  restart(): Promise<void>;
  /** Stops the whole tree; idempotent; resolves when every process of it is gone. */
  stop(options?: StopOptions): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

function validate(options: StartProcessOptions): void {
  if (typeof options !== 'object' || options === null)
    throw invalidOption('options', 'an object', options);
  if (typeof options.command !== 'string' || options.command === '')
    throw invalidOption('command', 'a non-empty string', options.command);
  if (
    options.args !== undefined &&
    (!Array.isArray(options.args) || options.args.some((a) => typeof a !== 'string'))
  )
    throw invalidOption('args', 'an array of strings', options.args);
  if (options.readyTimeout !== undefined) validateTimeout(options.readyTimeout, 'readyTimeout');
  if (options.stop?.timeout !== undefined) validateTimeout(options.stop.timeout, 'stop.timeout');
  validateSignal(options.signal);
}

const log = createLogger('process');

async function launch(options: StartProcessOptions): Promise<ProcessRun> {
  throwIfAborted(options.signal, `Starting \`${commandText(options)}\``);
  const run = new ProcessRun(options);
  if (run.pid === 0) {
    await run.exited;
    throw exitedError(run, options);
  }
  if (options.watchdog !== false) {
    const watchdog = await getWatchdog();
    run.unguard = watchdog.guardProcessGroup(run.pid);
  }
  log('started %s (pid %d)', basename(options.command), run.pid);
  try {
    await waitReady(run, options);
  } catch (error) {
    // A failed start is given up on: SIGKILL the group (a server still in its start-up,
    // nginx retrying bind() for example, may not handle graceful signals yet).
    await run.stop({ signal: 'SIGKILL' }).catch(() => undefined);
    throw error;
  }
  return run;
}

class StartedProcessHandle implements StartedProcess {
  #run: ProcessRun;
  #options: StartProcessOptions;

  constructor(run: ProcessRun, options: StartProcessOptions) {
    this.#run = run;
    this.#options = options;
  }

  get pid(): number {
    return this.#run.pid;
  }

  get exited(): Promise<ProcessExit> {
    return this.#run.exited;
  }

  output(): string {
    return this.#run.tail.text();
  }

  restart(): Promise<void> {
    return this.#serial(async () => {
      await this.#run.stop(undefined);
      this.#run = await launch({ ...this.#options, signal: undefined });
    });
  }

  stop(options?: StopOptions): Promise<void> {
    return this.#serial(() => this.#run.stop(options));
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.stop();
  }

  // restart() and stop() run one at a time, in call order: a stop() during a restart
  // stops the new process, not only the old one.
  readonly #serialQueue = new Serial();
  #serial<T>(fn: () => Promise<T>): Promise<T> {
    return this.#serialQueue.run(fn);
  }
}

/**
 * Starts `command` in its own process group, guarded by the owner's watchdog, and waits
 * until `ready` proves it ready. Readiness races the process's exit: an early exit fails
 * at once with `REBIND_PROCESS_EXITED`, its exit code and the tail of its output.
 */
export async function startProcess(options: StartProcessOptions): Promise<StartedProcess> {
  validate(options);
  const run = await launch(options);
  return new StartedProcessHandle(run, options);
}
