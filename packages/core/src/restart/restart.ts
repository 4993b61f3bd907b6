import { RebindError } from '../errors.js';
import { holdSocket, type HeldSocket } from './hold-socket.js';
import { createLogger } from '../logger.js';
import type {
  RestartHooks,
  RestartPlan,
  RestartStrategy,
  Restartable,
  RestartableOptions,
  StopReason,
} from './restart-plan.js';
import { RestartPorts, validatePortSlots, type SlotRequest } from './restart-ports.js';
import { invalidOption, validatePort } from '../validate.js';

const log = createLogger('restart');

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
  let requests: readonly SlotRequest[];
  if (options.ports !== undefined) requests = validatePortSlots(options.ports);
  else if (options.port === undefined || options.port === 'auto') requests = ['auto'];
  else requests = [{ first: validatePort(options.port) }];
  const lease = hooks.leasePort;
  const slots = new RestartPorts(
    host,
    requests,
    lease === undefined ? undefined : (h) => lease.call(hooks, h),
  );
  let socket: HeldSocket | undefined;
  let current: I | undefined;
  let plan: RestartPlan;
  let stopped = false;
  let stopping: Promise<void> | undefined;

  const makePlan = (
    strategy: RestartStrategy,
    ports: readonly number[],
    extra: { readonly reuseport?: boolean; readonly socket?: HeldSocket } = {},
  ): RestartPlan => ({
    strategy,
    host,
    port: ports[0] ?? 0,
    ports,
    fixed: slots.fixed,
    reuseport: extra.reuseport ?? false,
    ...(extra.socket === undefined ? {} : { socket: extra.socket }),
    previousStopped: settled,
  });
  const dropSocket = async () => {
    const old = socket;
    socket = undefined;
    await old?.close();
  };
  // Every start goes through here: a fixed slot the server remapped moves from now on.
  const startPlanned = async (signal: AbortSignal | undefined): Promise<I> => {
    const started = await hooks.start(plan, signal);
    await slots.adopt(plan.ports, hooks.portsOf?.(started));
    return started;
  };

  if (firstStrategy === 'reuseport') checkReuseport(hooks, host, options.allowUnsafeReuseport);
  try {
    const ports = await slots.keep();
    if (firstStrategy === 'inherit') {
      socket = await holdSocket(host, ports[0] ?? 0);
      plan = makePlan(firstStrategy, [socket.port, ...ports.slice(1)], { socket });
    } else {
      plan = makePlan(firstStrategy, ports, { reuseport: firstStrategy === 'reuseport' });
    }
    current = await startPlanned(options.signal);
    if (firstStrategy === 'fresh-port') slots.prepareSpares();
  } catch (error) {
    await dropSocket();
    await slots.release();
    throw error;
  }

  const stopCurrent = async (reason: StopReason = 'restart') => {
    const old = current;
    current = undefined;
    if (old !== undefined) await hooks.stop(old, reason);
  };

  // Starts the new instance while the old one stops. Whatever happens, a started instance
  // becomes `current` (so stop() stops it), and the first failure is thrown: the start's,
  // or with `stopFirst` the stop's (then the start failed because of it).
  const startWhileStopping = async (
    stopOld: () => Promise<void>,
    signal: AbortSignal | undefined,
    stopFirst = false,
  ) => {
    current = undefined;
    const [started, stoppedOld] = await Promise.allSettled([startPlanned(signal), stopOld()]);
    if (started.status === 'fulfilled') current = started.value;
    if (stopFirst && stoppedOld.status === 'rejected') throw stoppedOld.reason;
    if (started.status === 'rejected') throw started.reason;
    if (stoppedOld.status === 'rejected') throw stoppedOld.reason;
    return started.value;
  };

  // 'wait' ordering: the new instance binds only once the old one is stopped and its
  // ports are free. With `overlapWait` the start runs meanwhile and awaits
  // `plan.previousStopped` itself before it binds.
  const startAfterStop = async (old: I | undefined, signal: AbortSignal | undefined) => {
    const t0 = performance.now();
    if (hooks.overlapWait === true) {
      current = undefined;
      const stopOld = (async () => {
        if (old !== undefined) await hooks.stop(old, 'restart');
        await dropSocket();
      })();
      stopOld.catch(() => undefined);
      plan = { ...plan, previousStopped: stopOld };
      const started = await startWhileStopping(() => stopOld, signal, true);
      log('[%s] %s: overlapped stop+start in %s ms', hooks.name, plan.strategy, ms(t0));
      return started;
    }
    await stopCurrent();
    log('[%s] %s: stopped in %s ms', hooks.name, plan.strategy, ms(t0));
    await dropSocket();
    const t1 = performance.now();
    current = await startPlanned(signal);
    log('[%s] %s: started in %s ms', hooks.name, plan.strategy, ms(t1));
    return current;
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
        plan = makePlan(strategy, await slots.keep());
        return startAfterStop(old, signal);
      }
      case 'fresh-port': {
        const t0 = performance.now();
        plan = makePlan(strategy, await slots.move());
        const t1 = performance.now();
        // A fixed slot cannot be shared: the old instance frees it first.
        const started = slots.anyFixed
          ? await startAfterStop(old, signal)
          : await startWhileStopping(() => stopOf(old), signal);
        await dropSocket();
        slots.prepareSpares();
        log(
          '[%s] fresh-port %s: lease %s ms, start+stop %s ms',
          hooks.name,
          plan.ports.join(','),
          (t1 - t0).toFixed(1),
          ms(t1),
        );
        return started;
      }
      case 'reuseport': {
        checkReuseport(hooks, host, options.allowUnsafeReuseport);
        const both = plan.reuseport && old !== undefined;
        if (!both) await stopCurrent();
        await dropSocket();
        plan = makePlan(strategy, await slots.keep(), { reuseport: true });
        if (both) return startWhileStopping(() => stopOf(old), signal);
        current = await startPlanned(signal);
        return current;
      }
      case 'inherit': {
        const ports = await slots.keep();
        if (socket === undefined) {
          await stopCurrent();
          socket = await holdSocket(host, ports[0] ?? 0);
          plan = makePlan(strategy, ports, { socket });
          current = await startPlanned(signal);
          return current;
        }
        plan = makePlan(strategy, ports, { socket });
        return startWhileStopping(() => stopOf(old), signal);
      }
      case 'reload': {
        if (hooks.reload === undefined || old === undefined) {
          throw invalidOption('strategy', `a strategy ${hooks.name} supports here`, strategy);
        }
        current = await hooks.reload(old, plan, signal);
        return current;
      }
    }
  };
  const stopOf = (old: I | undefined) => (old === undefined ? settled : hooks.stop(old, 'restart'));

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
    get current() {
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
          await stopCurrent('stop');
        } finally {
          await dropSocket();
          await slots.release();
        }
      });
      return stopping;
    },
  };
}

const settled: Promise<void> = Promise.resolve();
const ms = (since: number) => (performance.now() - since).toFixed(2);
