import { spawn, type ChildProcess } from 'node:child_process';
import { OutputTail } from './output-tail.js';
import type { ProcessExit, StartProcessOptions } from './process-options.js';
import { stopProcessGroup, type StopOptions } from './stop-tree.js';

/** One run of a started command: the child, its output tail and its exit. */
export class ProcessRun {
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
