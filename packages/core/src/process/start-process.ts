// startProcess(): a command in its own process group, guarded by the owner's watchdog,
// proven ready, and restarted through core's one restart mechanism.
import { randomBytes } from 'node:crypto';
import { basename } from 'node:path';
import { RestartableHandle, type ServiceHandle } from '../handle/service-handle.js';
import { serviceUrl } from '../handle/service-url.js';
import { createLogger } from '../logger.js';
import { startRestartable } from '../restart/restart.js';
import type { RestartPlan } from '../restart/restart-plan.js';
import type { ProcessExit, StartProcessOptions } from './process-options.js';
import { ProcessRun, commandText } from './process-run.js';
import { dropPrefork } from './spawner.js';
import type { ReadyCheck } from './readiness.js';
import type { StopOptions } from './stop-tree.js';
import { throwIfAborted } from '../validate.js';
import { validateProcessOptions } from './validate-process-options.js';
import { exitedError, waitReady } from './wait-ready.js';
import { getWatchdog } from './watchdog.js';

export type { ProcessExit, StartProcessOptions } from './process-options.js';

/** A started process tree (its own process group): core's {@link ServiceHandle} plus its output and exit. */
export interface StartedProcess extends ServiceHandle {
  /** Pid of the process (also its process group id). Changes on `restart()`. */
  readonly pid: number;
  /** A fresh token per run, also given to the command as `REBIND_TOKEN`. */
  readonly token: string;
  /** Combined stdout and stderr of the current run (the last `outputLimit` bytes). */
  output(): string;
  /** Resolves (never rejects) when the current run's process exits. */
  readonly exited: Promise<ProcessExit>;
  /** Stops the whole tree; idempotent; resolves when every process of it is gone. */
  stop(options?: StopOptions): Promise<void>;
}

const log = createLogger('process');

/** Starts one run; `prefork`: the handle's id for its process forked ahead (see `prefork`). */
async function launch(options: StartProcessOptions, prefork?: string): Promise<ProcessRun> {
  throwIfAborted(options.signal, `Starting \`${commandText(options)}\``);
  const run = await ProcessRun.start(options, prefork);
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
  // Forked once this start's caller has its answer: the spawner's fork, right now, would
  // compete with what the caller does next (in a test runner's main process, answering the
  // test waiting for this server; CPU profile of 300 restarts in Vitest).
  if (prefork !== undefined)
    setTimeout(() => {
      if (run.exit === undefined && run.stopping === undefined) run.prepareNext(prefork);
    }, 0).unref();
  return run;
}

/** One start's options: `{port}` and `{host}` replaced, PORT, HOST and REBIND_TOKEN set. */
function planned(
  options: StartProcessOptions,
  plan: RestartPlan,
  token: string,
  signal: AbortSignal | undefined,
): StartProcessOptions {
  if (options.port === undefined)
    return { ...options, env: { ...options.env, REBIND_TOKEN: token }, signal };
  const fill = (text: string) =>
    text.replaceAll('{port}', String(plan.port)).replaceAll('{host}', plan.host);
  const env: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(options.env ?? {})) env[k] = v === undefined ? v : fill(v);
  const ready = readyOn(options.ready, plan, fill);
  return {
    ...options,
    args: (options.args ?? []).map(fill),
    env: { ...env, PORT: String(plan.port), HOST: plan.host, REBIND_TOKEN: token },
    ready,
    signal,
  };
}

/** The readiness check of one start: `{ tcp: port }` by default; an `http` path is on the instance's own url. */
function readyOn(
  ready: ReadyCheck | undefined,
  plan: RestartPlan,
  fill: (text: string) => string,
): ReadyCheck {
  if (ready === undefined) return { tcp: plan.port };
  if (!('http' in ready) || typeof ready.http !== 'string') return ready;
  const http = ready.http.startsWith('/')
    ? serviceUrl(plan.host, plan.port, ready.http)
    : fill(ready.http);
  return { ...ready, http };
}

interface ProcessInstance {
  readonly run: ProcessRun;
  readonly token: string;
}

class StartedProcessHandle extends RestartableHandle<ProcessInstance> implements StartedProcess {
  constructor(
    restartable: ConstructorParameters<typeof RestartableHandle<ProcessInstance>>[0],
    host: string,
    // The current run, else (stopped, or a restart failed) the last one that was current.
    readonly last: () => ProcessRun,
    readonly stopWith: { options?: StopOptions },
    /** The id of this handle's own forked shell, ended with it. */
    readonly prefork: string | undefined,
  ) {
    super(restartable, {
      host,
      port: (_, plan) => plan.port,
      ports: (_, plan) => (plan.port === 0 ? {} : { [String(plan.port)]: plan.port }),
      token: (instance) => instance.token,
      pid: (instance) => instance.run.pid,
    });
  }

  override get pid(): number {
    return this.last().pid;
  }
  override get token(): string {
    return this.instance.token;
  }
  override get url(): string {
    return this.restartable.plan.port === 0 ? '' : super.url;
  }
  get exited(): Promise<ProcessExit> {
    return this.last().exited;
  }
  output(): string {
    return this.last().tail.text();
  }
  override async stop(options?: StopOptions): Promise<void> {
    this.stopWith.options ??= options;
    try {
      await super.stop();
    } finally {
      if (this.prefork !== undefined) dropPrefork(this.prefork);
    }
  }
}

/**
 * Starts `command` in its own process group, guarded by the owner's watchdog, and waits
 * until `ready` proves it ready. Readiness races the process's exit: an early exit fails
 * at once with `REBIND_PROCESS_EXITED`, its exit code and the tail of its output.
 * `restart()` stops the whole tree, then starts the command again on the same port.
 */
export async function startProcess(options: StartProcessOptions): Promise<StartedProcess> {
  validateProcessOptions(options);
  const host = options.host ?? '127.0.0.1';
  const stopWith: { options?: StopOptions } = {};
  const standby = options.standby === true;
  // The id of the shell forked ahead for the next start: this handle's own with `true`.
  const prefork =
    options.prefork === true
      ? randomBytes(8).toString('hex')
      : options.prefork === false
        ? undefined
        : options.prefork;
  // The run last current: a standby's start is not current until it is swapped in.
  let last: ProcessRun | undefined;
  const restartable = await startRestartable<ProcessInstance>(
    {
      name: `\`${commandText(options)}\``,
      strategies: standby ? ['fresh-port'] : ['wait'],
      start: async (plan, signal) => {
        const token = randomBytes(8).toString('hex');
        const run = await launch(planned(options, plan, token, signal), prefork);
        if (!standby) last = run;
        return { run, token };
      },
      stop: (instance, reason) => {
        if (reason === 'stop') last = instance.run;
        return instance.run.stop(stopWith.options);
      },
    },
    {
      host,
      ...(options.port === undefined ? { ports: [] } : { port: options.port }),
      ...(standby ? { strategy: 'fresh-port' as const, standby } : {}),
      signal: options.signal,
    },
  );
  const current = () => {
    const run = restartable.current?.run;
    if (run !== undefined) last = run;
    return last as ProcessRun;
  };
  const ownPrefork = options.prefork === true ? prefork : undefined;
  return new StartedProcessHandle(restartable, host, current, stopWith, ownPrefork);
}
