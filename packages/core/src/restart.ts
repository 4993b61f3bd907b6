import { RebindError } from './errors.js';
import { createLogger } from './logger.js';

const log = createLogger('restart');
import { holdSocket, type HeldSocket } from './hold-socket.js';
import { leasePort, type LeasedPort } from './lease-port.js';
import { invalidOption, validatePort } from './validate.js';

/**
 * How a server is restarted:
 * - `'wait'`: stop the old instance, wait until every process is gone, start on the same port;
 * - `'fresh-port'`: start on a new port while the old one stops (no waiting);
 * - `'reuseport'`: listens carry SO_REUSEPORT, so the new one binds while the old stops
 *   (loopback only unless `allowUnsafeReuseport`);
 * - `'inherit'`: rebind holds the bound socket and hands it to each new instance (no bind);
 * - `'reload'`: the server reloads in place (nginx: HUP).
 */
export type RestartStrategy = 'wait' | 'fresh-port' | 'reuseport' | 'inherit' | 'reload';

export const restartStrategies: readonly RestartStrategy[] = [
  'wait',
  'fresh-port',
  'reuseport',
  'inherit',
  'reload',
];

/** What a manager's `start` hook must honour. */
export interface RestartPlan {
  /** The strategy this start serves. */
  readonly strategy: RestartStrategy;
  readonly host: string;
  readonly port: number;
  /** Listen with SO_REUSEPORT (nginx: `reuseport`). */
  readonly reuseport: boolean;
  /** `'inherit'`: the held, listening socket to hand to the new instance (as an extra fd). */
  readonly socket?: HeldSocket;
}

/** A manager's primitives (nginx, a container...); the strategies are built on them. */
export interface RestartHooks<I> {
  /** For messages: `nginx`. */
  readonly name: string;
  /** The strategies this manager supports. */
  readonly strategies: readonly RestartStrategy[];
  /** Starts an instance per `plan` and resolves once it is proven ready (and new). */
  start(plan: RestartPlan, signal?: AbortSignal): Promise<I>;
  /** Stops an instance; resolves when its processes are gone and its listeners closed. */
  stop(instance: I): Promise<void>;
  /** `'reload'`: reloads in place; resolves when only the new configuration answers. */
  reload?(instance: I, plan: RestartPlan, signal?: AbortSignal): Promise<I>;
}

export interface RestartableOptions {
  /** @default '127.0.0.1' */
  readonly host?: string;
  /** @default 'auto' */
  readonly port?: number | 'auto';
  /** @default 'wait' */
  readonly strategy?: RestartStrategy;
  /** Allow `'reuseport'` on a non-loopback address (another local process could hijack the port). @default false */
  readonly allowUnsafeReuseport?: boolean;
  readonly signal?: AbortSignal;
}

export interface Restartable<I> {
  /** The current instance (throws once stopped). */
  readonly instance: I;
  readonly plan: RestartPlan;
  restart(options?: {
    readonly strategy?: RestartStrategy;
    readonly signal?: AbortSignal;
  }): Promise<I>;
  /** Stops the instance and releases the port and held socket. Idempotent. */
  stop(): Promise<void>;
}

/** How many ports 'fresh-port' rotates through. */
const FRESH_PORTS = 4;

export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

export function validateStrategy(
  value: unknown,
  supported: readonly RestartStrategy[],
  name = 'restartStrategy',
): RestartStrategy {
  if (!supported.includes(value as RestartStrategy)) {
    throw invalidOption(name, `one of ${supported.map((s) => `'${s}'`).join(', ')}`, value);
  }
  return value as RestartStrategy;
}

function checkReuseport(hooks: { name: string }, host: string, allow: boolean | undefined): void {
  if (allow === true || isLoopback(host)) return;
  throw new RebindError(
    'REBIND_UNSAFE_REUSEPORT',
    `The 'reuseport' restart strategy was asked for ${hooks.name} on ${host}, a non-loopback address: with SO_REUSEPORT another local process of the same user could bind the port too and take part of the connections. Use a loopback host (the default 127.0.0.1), another strategy, or pass \`allowUnsafeReuseport: true\` if you accept the risk.`,
    { details: { host, strategy: 'reuseport' } },
  );
}

/**
 * Starts an instance through `hooks` and returns a handle that restarts it with any
 * supported strategy. The one restart mechanism every rebind manager uses.
 */
export async function startRestartable<I>(
  hooks: RestartHooks<I>,
  options: RestartableOptions = {},
): Promise<Restartable<I>> {
  const host = options.host ?? '127.0.0.1';
  const firstStrategy = validateStrategy(options.strategy ?? 'wait', hooks.strategies);
  if (options.port !== undefined && options.port !== 'auto') validatePort(options.port);
  let socket: HeldSocket | undefined;
  let current: I | undefined;
  let plan: RestartPlan;
  let stopped = false;
  let stopping: Promise<void> | undefined;

  // Ports leased for this instance. 'fresh-port' rotates through up to FRESH_PORTS of them
  // (each restart moves to a port other than the running instance's, whose own old
  // instance is long gone) instead of leasing and releasing one per restart: the
  // allocator's latency spikes (200-900 ms seen under load) stay off the restart path, and
  // a thousand restarts do not leave a thousand ports cooling down.
  const leases: LeasedPort[] = [];
  let spare: Promise<LeasedPort> | undefined;
  const prepareSpare = () => {
    if (leases.length >= FRESH_PORTS || spare !== undefined) return;
    spare = leasePort(host);
    spare.catch(() => undefined);
  };
  const newLease = async () => {
    const pending = spare;
    spare = undefined;
    const next = (await pending?.catch(() => undefined)) ?? (await leasePort(host));
    leases.push(next);
    return next.port;
  };
  const nextFreshPort = async () => {
    if (leases.length < FRESH_PORTS) {
      const port = await newLease();
      prepareSpare();
      return port;
    }
    const index = leases.findIndex((l) => l.port === plan.port);
    return (leases[(index + 1) % leases.length] as LeasedPort).port;
  };
  const releaseLeases = async () => {
    const pending = spare;
    spare = undefined;
    await pending?.then((l) => l.release()).catch(() => undefined);
    await Promise.all(leases.splice(0).map((l) => l.release()));
  };
  const dropSocket = async () => {
    const old = socket;
    socket = undefined;
    await old?.close();
  };

  if (firstStrategy === 'reuseport') checkReuseport(hooks, host, options.allowUnsafeReuseport);
  if (firstStrategy === 'inherit') {
    socket = await holdSocket(
      host,
      options.port === 'auto' || options.port === undefined ? await newLease() : options.port,
    );
    plan = { strategy: firstStrategy, host, port: socket.port, reuseport: false, socket };
  } else {
    const port =
      options.port === 'auto' || options.port === undefined ? await newLease() : options.port;
    plan = { strategy: firstStrategy, host, port, reuseport: firstStrategy === 'reuseport' };
  }
  try {
    current = await hooks.start(plan, options.signal);
    if (firstStrategy === 'fresh-port') prepareSpare();
  } catch (error) {
    await dropSocket();
    await releaseLeases();
    throw error;
  }

  const stopCurrent = async () => {
    const old = current;
    current = undefined;
    if (old !== undefined) await hooks.stop(old);
  };

  // Starts the new instance while the old one stops. Whatever happens, a started instance
  // becomes `current` (so stop() stops it), and the first failure is thrown.
  const startWhileStopping = async (old: I | undefined, signal: AbortSignal | undefined) => {
    current = undefined;
    const [started, stoppedOld] = await Promise.allSettled([
      hooks.start(plan, signal),
      old === undefined ? undefined : hooks.stop(old),
    ]);
    if (started.status === 'fulfilled') current = started.value;
    if (started.status === 'rejected') throw started.reason;
    if (stoppedOld.status === 'rejected') throw stoppedOld.reason;
    return started.value;
  };

  const restartOnce = async (
    call: { readonly strategy?: RestartStrategy; readonly signal?: AbortSignal } = {},
  ): Promise<I> => {
    if (stopped) {
      throw new RebindError(
        'REBIND_PROCESS_EXITED',
        `${hooks.name} was stopped: restart() cannot bring it back. Start a new instance instead.`,
      );
    }
    const strategy = validateStrategy(call.strategy ?? firstStrategy, hooks.strategies, 'strategy');
    const signal = call.signal;
    const old = current;
    switch (strategy) {
      case 'wait': {
        const t0 = performance.now();
        await stopCurrent();
        log('[%s] wait: stopped in %s ms', hooks.name, (performance.now() - t0).toFixed(2));
        await dropSocket();
        plan = { strategy, host, port: plan.port, reuseport: false };
        break;
      }
      case 'fresh-port': {
        const t0 = performance.now();
        const port = await nextFreshPort();
        const t1 = performance.now();
        plan = { strategy, host, port, reuseport: false };
        const started = await startWhileStopping(old, signal);
        await dropSocket();
        prepareSpare();
        log(
          '[%s] fresh-port %d: lease %s ms, start+stop %s ms',
          hooks.name,
          port,
          (t1 - t0).toFixed(1),
          (performance.now() - t1).toFixed(1),
        );
        return started;
      }
      case 'reuseport': {
        checkReuseport(hooks, host, options.allowUnsafeReuseport);
        const both = plan.reuseport && old !== undefined;
        if (!both) await stopCurrent();
        await dropSocket();
        plan = { strategy, host, port: plan.port, reuseport: true };
        if (!both) break;
        return startWhileStopping(old, signal);
      }
      case 'inherit': {
        if (socket === undefined) {
          await stopCurrent();
          socket = await holdSocket(host, plan.port);
          plan = { strategy, host, port: plan.port, reuseport: false, socket };
          break;
        }
        plan = { strategy, host, port: plan.port, reuseport: false, socket };
        return startWhileStopping(old, signal);
      }
      case 'reload': {
        if (hooks.reload === undefined || old === undefined) {
          throw invalidOption('strategy', `a strategy ${hooks.name} supports here`, strategy);
        }
        current = await hooks.reload(old, plan, signal);
        return current;
      }
    }
    const t1 = performance.now();
    current = await hooks.start(plan, signal);
    log('[%s] %s: started in %s ms', hooks.name, strategy, (performance.now() - t1).toFixed(2));
    return current;
  };

  // Calls run one at a time, in order: a restart() or stop() waits for the one before.
  let queue: Promise<unknown> = Promise.resolve();
  const serial = <T>(fn: () => Promise<T>): Promise<T> => {
    const next = queue.then(fn, fn);
    queue = next.catch(() => undefined);
    return next;
  };

  const restart = (
    call: { readonly strategy?: RestartStrategy; readonly signal?: AbortSignal } = {},
  ): Promise<I> => serial(() => restartAndSettle(call));
  const restartAndSettle = async (call: {
    readonly strategy?: RestartStrategy;
    readonly signal?: AbortSignal;
  }): Promise<I> => {
    const started = await restartOnce(call);
    // A turn of the event loop, so that this process handles the FINs the old instance
    // sent before the caller sends its first request: a keep-alive client (fetch) would
    // otherwise pick a pooled connection to the old instance and fail "other side closed".
    // Two immediates: the second runs after a whole poll phase.
    for (let i = 0; i < 2; i++) await new Promise((resolve) => setImmediate(resolve));
    return started;
  };

  return {
    get instance(): I {
      if (current === undefined)
        throw new RebindError(
          'REBIND_PROCESS_EXITED',
          `${hooks.name} is not running (stopped, or its last restart failed).`,
        );
      return current;
    },
    get plan() {
      return plan;
    },
    restart,
    stop: () => {
      stopping ??= serial(async () => {
        stopped = true;
        try {
          await stopCurrent();
        } finally {
          await dropSocket();
          await releaseLeases();
        }
      });
      return stopping;
    },
  };
}
