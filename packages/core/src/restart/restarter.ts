// The one restart mechanism: a Restarter holds one running instance of a manager's server
// (nginx, a container, a compose project, a command) and replaces it by reading the
// strategy's record (strategies.ts): which ports stay or move, who holds the socket, and
// whether the new instance starts after the old one stopped or while it stops.
import { RebindError } from '../errors.js';
import { createLogger } from '../logger.js';
import { invalidOption } from '../validate.js';
import { holdSocket, type HeldSocket } from './hold-socket.js';
import type {
  RestartCall,
  RestartHooks,
  RestartPlan,
  RestartStrategy,
  Restartable,
  StopReason,
} from './restart-plan.js';
import type { RestartPorts } from './restart-ports.js';
import { Serial } from './serial.js';
import { strategyRecords, type StrategyRecord } from './strategies.js';

const log = createLogger('restart');
const settled: Promise<void> = Promise.resolve();
const ms = (since: number) => (performance.now() - since).toFixed(2);

export interface RestarterSetup<I> {
  readonly hooks: RestartHooks<I>;
  readonly host: string;
  readonly slots: RestartPorts;
  /** The default strategy, already validated. */
  readonly strategy: RestartStrategy;
  /** Throws when `'reuseport'` is not allowed on `host`. */
  readonly checkReuseport: () => void;
  readonly validate: (strategy: unknown) => RestartStrategy;
  /** Keep the next instance started ('fresh-port' on moving slots; validated). */
  readonly standby: boolean;
}

/** A started, ready instance waiting for the next restart, with its plan. */
interface Standby<I> {
  readonly instance: I;
  readonly plan: RestartPlan;
}

export class Restarter<I> implements Restartable<I> {
  readonly #setup: RestarterSetup<I>;
  readonly #serial = new Serial();
  #current: I | undefined;
  #plan: RestartPlan | undefined;
  #socket: HeldSocket | undefined;
  #stopped = false;
  #stopping: Promise<void> | undefined;
  #standby: Promise<Standby<I>> | undefined;
  /** Replaced instances still stopping in the background (standby swaps). */
  readonly #retiring = new Set<Promise<void>>();
  #retireError: unknown;
  /**
   * Instances whose stop failed (the engine did not answer): stopped again before the
   * next restart (a failure there is logged, the restart goes on) and at stop() (where a
   * failure is thrown: something is left).
   */
  readonly #unstopped = new Set<I>();

  constructor(setup: RestarterSetup<I>) {
    this.#setup = setup;
  }

  get instance(): I {
    if (this.#current === undefined)
      throw new RebindError(
        'REBIND_NOT_RUNNING',
        `${this.#setup.hooks.name} is not running (stopped, or its last restart failed).`,
      );
    return this.#current;
  }

  get current(): I | undefined {
    return this.#current;
  }

  standby(): Promise<Standby<I> | undefined> {
    return this.#standby?.catch(() => undefined) ?? Promise.resolve(undefined);
  }

  get plan(): RestartPlan {
    if (this.#plan === undefined) throw new Error('rebind: a Restarter was used before begin()');
    return this.#plan;
  }

  /** Starts the first instance; on failure releases what it took. */
  async begin(signal: AbortSignal | undefined): Promise<void> {
    const { strategy, slots } = this.#setup;
    const record = strategyRecords[strategy];
    if (record.reuseport) this.#setup.checkReuseport();
    try {
      await this.#startOn(strategy, record, await slots.keep(), signal);
      if (record.ports === 'move') slots.prepareSpares();
      if (this.#setup.standby) this.#prepareStandby();
    } catch (error) {
      await this.#dropSocket();
      await slots.release();
      throw error;
    }
  }

  /** Replaces the instance; calls run one at a time, in call order. */
  restart(call: RestartCall = {}): Promise<I> {
    // The work a restart leaves to the background (stopping a swapped-out instance,
    // starting the next standby) waits for this gate: its synchronous part (spawn, /proc
    // reads) would otherwise run before the caller resumes and delay every swap by
    // milliseconds. Registered first, this `then` opens it once the caller has resumed.
    let open: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (open = resolve));
    const result = this.#serial.run(async () => {
      const started = await this.#replace(call, gate);
      // A turn of the event loop, so that this process handles the FINs the old instance
      // sent before the caller sends its first request: a keep-alive client (fetch) would
      // otherwise pick a pooled connection to the old instance and fail "other side
      // closed". Two immediates: the second runs after a whole poll phase.
      for (let i = 0; i < 2; i++) await new Promise((resolve) => setImmediate(resolve));
      return started;
    });
    result.then(
      () => setImmediate(open),
      () => open(),
    );
    return result;
  }

  /** Stops the instance, releases its ports and held socket. Idempotent. */
  stop(): Promise<void> {
    this.#stopping ??= this.#serial.run(async () => {
      this.#stopped = true;
      try {
        await this.#stopCurrent('stop');
        await this.#stopUnstopped('stop');
      } finally {
        await this.#dropStandby();
        await Promise.allSettled([...this.#retiring]);
        await this.#dropSocket();
        await this.#setup.slots.release();
      }
      if (this.#retireError !== undefined) throw this.#retireError;
    });
    return this.#stopping;
  }

  /** Starts the next instance in the background (once `gate` opens), on the next moving ports. */
  #prepareStandby(gate: Promise<void> = settled): void {
    const record = strategyRecords['fresh-port'];
    const pending = (async () => {
      await gate;
      const t0 = performance.now();
      const plan = this.#planOf('fresh-port', record, await this.#setup.slots.move());
      const instance = await this.#setup.hooks.start(plan, undefined);
      await this.#setup.slots.adopt(plan.ports, this.#setup.hooks.portsOf?.(instance));
      log('[%s] standby ready on port %d: %s ms', this.#setup.hooks.name, plan.port, ms(t0));
      return { instance, plan };
    })();
    pending.catch((error: unknown) =>
      log('[%s] the standby failed to start: %s', this.#setup.hooks.name, error),
    );
    this.#standby = pending;
  }

  /**
   * The standby becomes current; the old instance stops in the background and the next
   * standby starts. Undefined when the standby failed to start: then a plain restart
   * runs, which gives the error a plain restart gives (or recovers).
   */
  async #swap(gate: Promise<void>): Promise<I | undefined> {
    const pending = this.#standby;
    this.#standby = undefined;
    const t0 = performance.now();
    const next = await pending?.catch(() => undefined);
    log('[%s] swap: waited %s ms for the standby', this.#setup.hooks.name, ms(t0));
    if (next === undefined) return undefined;
    if (this.#setup.hooks.isStale?.(next.instance) === true) {
      // The configuration changed since the standby started: this restart starts anew.
      log(
        '[%s] the standby runs an older configuration: a new instance starts',
        this.#setup.hooks.name,
      );
      this.#retire(next.instance, settled);
      return undefined;
    }
    const old = this.#current;
    this.#current = next.instance;
    this.#plan = next.plan;
    this.#retire(old, gate);
    this.#setup.slots.prepareSpares();
    this.#prepareStandby(gate);
    return next.instance;
  }

  #retire(old: I | undefined, gate: Promise<void>): void {
    if (old === undefined) return;
    const stopping = gate
      .then(() => {
        const t0 = performance.now();
        return this.#stopOf(old).then(() =>
          log('[%s] replaced instance stopped: %s ms', this.#setup.hooks.name, ms(t0)),
        );
      })
      .catch((error: unknown) => {
        this.#retireError ??= error;
        log('[%s] stopping a replaced instance failed: %s', this.#setup.hooks.name, error);
      });
    this.#retiring.add(stopping);
    void stopping.finally(() => this.#retiring.delete(stopping));
  }

  async #dropStandby(): Promise<void> {
    const pending = this.#standby;
    this.#standby = undefined;
    const standby = await pending?.catch(() => undefined);
    if (standby !== undefined) await this.#stopOf(standby.instance);
  }

  async #replace(call: RestartCall, gate: Promise<void>): Promise<I> {
    const { hooks } = this.#setup;
    if (this.#stopped) {
      throw new RebindError(
        'REBIND_NOT_RUNNING',
        `${hooks.name} was stopped: restart() cannot bring it back. Start a new instance instead.`,
      );
    }
    const strategy = this.#setup.validate(call.strategy ?? this.#setup.strategy);
    if (this.#standby !== undefined) {
      const swapped =
        strategy === 'fresh-port' && call.discardStandby !== true
          ? await this.#swap(gate)
          : undefined;
      if (swapped !== undefined) return swapped;
      await this.#dropStandby();
    }
    const started = await this.#replaceNow(strategy, call);
    if (this.#setup.standby) this.#prepareStandby(gate);
    return started;
  }

  async #replaceNow(strategy: RestartStrategy, call: RestartCall): Promise<I> {
    const { hooks, slots } = this.#setup;
    const record = strategyRecords[strategy];
    if (record.order === 'in-place') return this.#reload(strategy, call.signal);
    await this.#stopUnstopped('restart').catch((error: unknown) =>
      log('[%s] an instance that failed to stop still fails: %s', this.#setup.hooks.name, error),
    );
    if (record.reuseport) this.#setup.checkReuseport();
    const t0 = performance.now();
    const old = this.#current;
    const overlap = record.order === 'overlap' && !this.#oldBlocksBind(record);
    const ports = record.ports === 'move' ? await slots.move() : await slots.keep();
    let started: I;
    if (overlap) {
      this.#plan = this.#planOf(strategy, record, ports);
      started = await this.#startWhileStopping(() => this.#stopOf(old), call.signal);
    } else {
      started = await this.#stopThenStart(old, strategy, record, ports, call.signal);
    }
    if (record.socket !== 'rebind') await this.#dropSocket();
    if (record.ports === 'move') slots.prepareSpares();
    log('[%s] %s%s: %s ms', hooks.name, strategy, overlap ? ' (overlapped)' : '', ms(t0));
    return started;
  }

  /** Whether the running instance's listeners would make the new instance's bind fail. */
  #oldBlocksBind(record: StrategyRecord): boolean {
    if (record.ports === 'move') return this.#setup.slots.anyFixed; // a fixed slot stays put
    if (record.reuseport) return !this.plan.reuseport; // both sockets need SO_REUSEPORT
    if (record.socket === 'rebind') return this.#socket === undefined; // both share ours
    return true;
  }

  /**
   * The old instance stops first and frees its ports. With the hooks' `overlapWait`, the
   * start runs meanwhile and awaits `plan.previousStopped` itself before it binds.
   */
  async #stopThenStart(
    old: I | undefined,
    strategy: RestartStrategy,
    record: StrategyRecord,
    ports: readonly number[],
    signal: AbortSignal | undefined,
  ): Promise<I> {
    if (this.#setup.hooks.overlapWait === true && record.socket !== 'rebind') {
      this.#current = undefined;
      const stopOld = (async () => {
        await this.#stopOf(old);
        await this.#dropSocket();
      })();
      stopOld.catch(() => undefined);
      this.#plan = { ...this.#planOf(strategy, record, ports), previousStopped: stopOld };
      return this.#startWhileStopping(() => stopOld, signal, true);
    }
    await this.#stopCurrent();
    await this.#dropSocket();
    return this.#startOn(strategy, record, ports, signal);
  }

  /** Starts on `ports`, binding rebind's socket first when the strategy holds one. */
  async #startOn(
    strategy: RestartStrategy,
    record: StrategyRecord,
    ports: readonly number[],
    signal: AbortSignal | undefined,
  ): Promise<I> {
    if (record.socket === 'rebind') {
      const socket = await holdSocket(this.#setup.host, ports[0] ?? 0);
      this.#socket = socket;
      ports = [socket.port, ...ports.slice(1)];
    }
    this.#plan = this.#planOf(strategy, record, ports);
    this.#current = await this.#startPlanned(signal);
    return this.#current;
  }

  /**
   * Starts the new instance while the old one stops. Whatever happens, a started instance
   * becomes current (so stop() stops it), and the first failure is thrown: the start's,
   * or with `stopFirst` the stop's (then the start failed because of it).
   */
  async #startWhileStopping(
    stopOld: () => Promise<void>,
    signal: AbortSignal | undefined,
    stopFirst = false,
  ): Promise<I> {
    this.#current = undefined;
    // The old instance's signal goes out once the start has been sent (the next macrotask):
    // a signal wakes the old server, which on 2 cores took the CPU from this process for
    // ~0.8 ms, before the start (CPU profile of 300 nginx restarts in Vitest).
    const stopping = new Promise((resolve) => setImmediate(resolve)).then(stopOld);
    const [started, stoppedOld] = await Promise.allSettled([this.#startPlanned(signal), stopping]);
    if (started.status === 'fulfilled') this.#current = started.value;
    if (stopFirst && stoppedOld.status === 'rejected') throw stoppedOld.reason;
    if (started.status === 'rejected') throw started.reason;
    if (stoppedOld.status === 'rejected') throw stoppedOld.reason;
    return started.value;
  }

  async #reload(strategy: RestartStrategy, signal: AbortSignal | undefined): Promise<I> {
    const { hooks } = this.#setup;
    const old = this.#current;
    if (hooks.reload === undefined || old === undefined)
      throw invalidOption('strategy', `a strategy ${hooks.name} supports here`, strategy);
    this.#current = await hooks.reload(old, this.plan, signal);
    return this.#current;
  }

  // Every start goes through here: a fixed slot the server remapped moves from now on.
  async #startPlanned(signal: AbortSignal | undefined): Promise<I> {
    const plan = this.plan;
    const started = await this.#setup.hooks.start(plan, signal);
    await this.#setup.slots.adopt(plan.ports, this.#setup.hooks.portsOf?.(started));
    return started;
  }

  #planOf(
    strategy: RestartStrategy,
    record: StrategyRecord,
    ports: readonly number[],
  ): RestartPlan {
    const socket = record.socket === 'rebind' ? this.#socket : undefined;
    return {
      strategy,
      host: this.#setup.host,
      port: ports[0] ?? 0,
      ports,
      fixed: this.#setup.slots.fixed,
      reuseport: record.reuseport,
      ...(socket === undefined ? {} : { socket }),
      previousStopped: settled,
    };
  }

  #stopOf(old: I | undefined, reason: StopReason = 'restart'): Promise<void> {
    if (old === undefined) return settled;
    return this.#setup.hooks.stop(old, reason).catch((error: unknown) => {
      // Not lost: a later restart or stop() stops it again (a container the engine
      // could not remove while it was down).
      this.#unstopped.add(old);
      throw error;
    });
  }

  async #stopUnstopped(reason: StopReason): Promise<void> {
    for (const old of [...this.#unstopped]) {
      await this.#setup.hooks.stop(old, reason);
      this.#unstopped.delete(old);
    }
  }

  async #stopCurrent(reason: StopReason = 'restart'): Promise<void> {
    const old = this.#current;
    this.#current = undefined;
    await this.#stopOf(old, reason);
  }

  async #dropSocket(): Promise<void> {
    const old = this.#socket;
    this.#socket = undefined;
    await old?.close();
  }
}
