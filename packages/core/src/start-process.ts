import { spawn, type ChildProcess } from 'node:child_process';
import { basename } from 'node:path';
import { RebindError, indentOutput } from './errors.js';
import { createLogger } from './logger.js';
import { OutputTail } from './output-tail.js';
import { describeReadyCheck, pollReadyCheck, type ReadyCheck } from './readiness.js';
import { stopProcessGroup, type StopOptions } from './stop-tree.js';
import { invalidOption, throwIfAborted, validateSignal, validateTimeout } from './validate.js';
import { getWatchdog } from './watchdog.js';

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

class ProcessRun {
  readonly child: ChildProcess;
  readonly pid: number;
  readonly tail: OutputTail;
  readonly exited: Promise<ProcessExit>;
  exit: ProcessExit | undefined;
  spawnError: Error | undefined;
  unguard: () => void = () => undefined;
  stopping: Promise<void> | undefined;

  constructor(readonly options: StartProcessOptions) {
    const env = { ...process.env, ...options.env };
    for (const [k, v] of Object.entries(env)) if (v === undefined) delete env[k];
    this.tail = new OutputTail(options.outputLimit ?? 65536);
    this.child = spawn(options.command, [...(options.args ?? [])], {
      cwd: options.cwd,
      env,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe', ...(options.extraFds ?? [])],
    });
    this.pid = this.child.pid ?? 0;
    this.exited = new Promise((resolve) => {
      this.child.once('error', (error) => {
        this.spawnError = error;
        this.exit = { code: null, signal: null };
        resolve(this.exit);
      });
      this.child.once('exit', (code, signal) => {
        this.exit = { code, signal };
        resolve(this.exit);
      });
    });
    for (const stream of ['stdout', 'stderr'] as const) {
      const readable = this.child[stream];
      readable?.setEncoding('utf8');
      readable?.on('data', (chunk: string) => {
        this.tail.push(chunk, stream);
        options.onOutput?.(chunk, stream);
      });
    }
  }

  stop(options: StopOptions | undefined): Promise<void> {
    this.stopping ??= (async () => {
      if (this.pid === 0) return;
      try {
        await stopProcessGroup(this.pid, this.exited, { ...this.options.stop, ...options });
      } finally {
        this.unguard();
      }
    })();
    return this.stopping;
  }
}

function commandText(options: StartProcessOptions): string {
  return [options.command, ...(options.args ?? [])].join(' ');
}

function exitedError(run: ProcessRun, options: StartProcessOptions): RebindError {
  const what = `\`${commandText(options)}\``;
  if (run.spawnError !== undefined) {
    const missing = (run.spawnError as NodeJS.ErrnoException).code === 'ENOENT';
    return new RebindError(
      missing ? 'REBIND_COMPONENT_MISSING' : 'REBIND_PROCESS_EXITED',
      missing
        ? `${what} could not be started: \`${options.command}\` was not found (spawn ENOENT${options.cwd ? `, cwd ${options.cwd}` : ''}). Install it, or pass its absolute path as \`command\`.`
        : `${what} could not be started: ${run.spawnError.message}.`,
      { cause: run.spawnError, details: { command: options.command } },
    );
  }
  const how =
    run.exit?.signal != null
      ? `was killed by ${run.exit.signal}`
      : `exited with code ${run.exit?.code}`;
  const output = run.tail.text();
  return new RebindError(
    'REBIND_PROCESS_EXITED',
    `${what} (pid ${run.pid}) ${how} before it was ready (waiting for ${describeReadyCheck(options.ready)}).${
      output.trim() === '' ? ' It printed nothing.' : ` Its output:\n${indentOutput(output)}`
    }`,
    {
      details: {
        command: options.command,
        pid: run.pid,
        code: run.exit?.code,
        signal: run.exit?.signal,
      },
      attachments: { output },
    },
  );
}

async function waitReady(run: ProcessRun, options: StartProcessOptions): Promise<void> {
  const check = options.ready;
  const timeout = options.readyTimeout ?? 30_000;
  const deadline = performance.now() + timeout;
  const exitedFirst = run.exited.then(() => 'exited' as const);
  const target = { pid: run.pid, output: () => run.tail.text() };
  let interval = options.readyInterval ?? 1;
  const cap = options.readyInterval ?? 20;
  let outputSeen: (() => void) | undefined;
  const onChunk = () => outputSeen?.();
  if (check && 'output' in check) {
    const stream = check.stream ?? 'both';
    for (const name of stream === 'both' ? (['stdout', 'stderr'] as const) : [stream])
      run.child[name]?.on('data', onChunk);
  }
  try {
    for (;;) {
      if (run.exit !== undefined) throw exitedError(run, options);
      throwIfAborted(options.signal, `Starting \`${commandText(options)}\``);
      let ready: boolean;
      if (check === undefined) ready = true;
      else if ('output' in check) {
        const text =
          check.stream === undefined || check.stream === 'both'
            ? run.tail.text()
            : run.tail.text(check.stream);
        ready =
          typeof check.output === 'string' ? text.includes(check.output) : check.output.test(text);
      } else ready = await pollReadyCheck(check, target);
      if (ready) return;
      const left = deadline - performance.now();
      if (left <= 0) {
        const output = run.tail.text();
        throw new RebindError(
          'REBIND_START_TIMEOUT',
          `\`${commandText(options)}\` (pid ${run.pid}) was not ready within ${timeout} ms (waiting for ${describeReadyCheck(check)}); it was stopped. Check the readiness check and the output, or raise \`readyTimeout\`.${
            output.trim() === '' ? ' It printed nothing.' : ` Its output:\n${indentOutput(output)}`
          }`,
          { details: { command: options.command, pid: run.pid, timeout }, attachments: { output } },
        );
      }
      const wait = Math.min(left, check !== undefined && 'output' in check ? left : interval);
      interval = Math.min(interval * 2, cap);
      let timer: NodeJS.Timeout | undefined;
      const abort = () => outputSeen?.();
      options.signal?.addEventListener('abort', abort, { once: true });
      await Promise.race([
        exitedFirst,
        new Promise<void>((resolve) => {
          outputSeen = resolve;
          timer = setTimeout(resolve, wait);
        }),
      ]);
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', abort);
      outputSeen = undefined;
    }
  } finally {
    for (const name of ['stdout', 'stderr'] as const) run.child[name]?.off('data', onChunk);
  }
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
  #stopped = false;

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

  async restart(): Promise<void> {
    await this.#run.stop(undefined);
    this.#run = await launch({ ...this.#options, signal: undefined });
    this.#stopped = false;
  }

  async stop(options?: StopOptions): Promise<void> {
    this.#stopped = true;
    await this.#run.stop(options);
  }

  async [Symbol.asyncDispose](): Promise<void> {
    if (!this.#stopped) await this.stop();
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
