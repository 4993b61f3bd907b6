import { spawn } from 'node:child_process';
import { OutputTail } from './output-tail.js';
import type { ProcessExit, StartProcessOptions } from './process-options.js';
import { readySpawner, type Spawner } from './spawner.js';
import { stopProcessGroup, type StopOptions } from './stop-tree.js';

type OutputListener = (chunk: string, stream: 'stdout' | 'stderr') => void;

/**
 * One run of a started command: its pid, output tail and exit. Started through the
 * owner's spawner process (spawner.ts) once it is up, on Linux, unless it is handed extra
 * fds; else spawned here. Either way in a process group of its own (pgid = pid).
 */
export class ProcessRun {
  pid = 0;
  readonly tail: OutputTail;
  readonly exited: Promise<ProcessExit>;
  exit: ProcessExit | undefined;
  spawnError: Error | undefined;
  unguard: () => void = () => undefined;
  stopping: Promise<void> | undefined;
  readonly #listeners = new Set<OutputListener>();
  #through: { readonly spawner: Spawner; readonly env: Record<string, string> } | undefined;
  #exited: (exit: ProcessExit) => void = () => undefined;

  /**
   * Starts `options.command`; resolves once its pid is known (0 and `spawnError` when it
   * could not start). `prepared`: the id of the handle whose process forked ahead (see
   * `prepareNext`) may carry this start.
   */
  static async start(options: StartProcessOptions, prepared?: string): Promise<ProcessRun> {
    const run = new ProcessRun(options);
    const env: Record<string, string> = {};
    for (const [k, v] of Object.entries({ ...process.env, ...options.env }))
      if (v !== undefined) env[k] = v;
    const spawner = readySpawner(options.extraFds);
    if (spawner !== undefined) await run.#startThrough(spawner, env, prepared);
    else run.#spawnHere(env);
    return run;
  }

  /**
   * Forks a process, in the spawner, that waits to exec handle `h`'s next start of this
   * command (a restart then skips the fork). Nothing when this run was not started
   * through the spawner.
   */
  prepareNext(h: string): void {
    const through = this.#through;
    if (through === undefined) return;
    const { command, cwd } = this.options;
    through.spawner.prepare(h, {
      command,
      env: through.env,
      ...(cwd === undefined ? {} : { cwd }),
    });
  }

  private constructor(readonly options: StartProcessOptions) {
    this.tail = new OutputTail(options.outputLimit ?? 65536);
    this.exited = new Promise((resolve) => (this.#exited = resolve));
  }

  /** Calls `listener` with each chunk of output from now on; returns the unsubscribe. */
  onOutput(listener: OutputListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #output(chunk: string, stream: 'stdout' | 'stderr'): void {
    this.tail.push(chunk, stream);
    this.options.onOutput?.(chunk, stream);
    for (const listener of this.#listeners) listener(chunk, stream);
  }

  #exit(exit: ProcessExit): void {
    if (this.exit !== undefined) return;
    this.exit = exit;
    this.#exited(exit);
  }

  async #startThrough(
    spawner: Spawner,
    env: Record<string, string>,
    prepared: string | undefined,
  ): Promise<void> {
    const { command, args = [], cwd } = this.options;
    this.#through = { spawner, env };
    try {
      this.pid = await spawner.spawn(
        {
          command,
          args,
          env,
          ...(cwd === undefined ? {} : { cwd }),
          ...(prepared === undefined ? {} : { prepared }),
        },
        {
          output: (chunk, stream) => this.#output(chunk, stream),
          exit: (code, signal) => this.#exit({ code, signal }),
        },
      );
    } catch (error) {
      this.spawnError = error as Error;
      this.#exit({ code: null, signal: null });
    }
  }

  #spawnHere(env: Record<string, string>): void {
    const child = spawn(this.options.command, [...(this.options.args ?? [])], {
      cwd: this.options.cwd,
      env,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe', ...(this.options.extraFds ?? [])],
    });
    this.pid = child.pid ?? 0;
    child.once('error', (error) => {
      this.spawnError = error;
      this.#exit({ code: null, signal: null });
    });
    child.once('exit', (code, signal) => this.#exit({ code, signal }));
    for (const stream of ['stdout', 'stderr'] as const) {
      child[stream]?.setEncoding('utf8');
      child[stream]?.on('data', (chunk: string) => this.#output(chunk, stream));
    }
  }

  stop(options: StopOptions | undefined): Promise<void> {
    this.stopping ??= (async () => {
      if (this.pid === 0) return;
      try {
        const ready = this.options.ready;
        const port =
          ready === undefined
            ? undefined
            : 'tcp' in ready
              ? ready.tcp
              : 'http' in ready && typeof ready.http === 'number'
                ? ready.http
                : undefined;
        await stopProcessGroup(this.pid, this.exited, {
          ...(port === undefined ? {} : { ports: [port] }),
          ...this.options.stop,
          ...options,
        });
      } finally {
        this.unguard();
      }
    })();
    return this.stopping;
  }
}

export function commandText(options: StartProcessOptions): string {
  return [options.command, ...(options.args ?? [])].join(' ');
}
