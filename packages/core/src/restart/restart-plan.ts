// The shapes of the one restart mechanism (startRestartable in restart.ts): the
// strategies, the plan a manager's start hook honours, the hooks, options and handle.
import type { HeldSocket } from './hold-socket.js';
import type { LeasedPort } from '../allocate/lease-port.js';
import type { PortSlot } from './restart-ports.js';

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
  /** The first slot's port: `ports[0]` (0 when the server picks it). */
  readonly port: number;
  /** Every host port of this start, in slot order; 0 where the server picks (a `'random'` slot). */
  readonly ports: readonly number[];
  /** Per slot: `true` where the port is fixed (it never moves), `false` where it may. */
  readonly fixed: readonly boolean[];
  /** Listen with SO_REUSEPORT (nginx: `reuseport`). */
  readonly reuseport: boolean;
  /** `'inherit'`: the held, listening socket to hand to the new instance (as an extra fd). */
  readonly socket?: HeldSocket;
  /**
   * Settles once the previous instance is stopped and its ports are free (rejects if its
   * stop failed). Already settled unless the hooks set `overlapWait`: then `start` runs
   * while the old instance stops, and must not bind (or start the server) before this
   * settles.
   */
  readonly previousStopped: Promise<void>;
}

/** Why an instance is stopped: replaced by a new one, or for good. */
export type StopReason = 'restart' | 'stop';

/** A manager's primitives (nginx, a container...); the strategies are built on them. */
export interface RestartHooks<I> {
  /** For messages: `nginx`. */
  readonly name: string;
  /** The strategies this manager supports. */
  readonly strategies: readonly RestartStrategy[];
  /**
   * `'wait'` ordering (and `'fresh-port'` with a fixed slot): call `start` while the old
   * instance stops, with `plan.previousStopped` to await before binding, so that the work
   * before the bind (a container's create) overlaps the stop.
   * @default false
   */
  readonly overlapWait?: boolean;
  /** Starts an instance per `plan` and resolves once it is proven ready (and new). */
  start(plan: RestartPlan, signal?: AbortSignal): Promise<I>;
  /**
   * Stops an instance; resolves when its processes are gone and its listeners closed.
   * `reason` is `'restart'` when a new instance replaces it: whatever it still serves
   * belongs to a test that is over, so a manager may stop it fast (nginx: TERM, not QUIT).
   */
  stop(instance: I, reason: StopReason): Promise<void>;
  /**
   * With a standby: whether `instance` (the standby, about to be swapped in) runs an older
   * configuration than the one a start would read now (the user edited it). A stale
   * standby is stopped and the restart starts a new instance instead. @default never stale
   */
  isStale?(instance: I): boolean;
  /** `'reload'`: reloads in place; resolves when only the new configuration answers. */
  reload?(instance: I, plan: RestartPlan, signal?: AbortSignal): Promise<I>;
  /**
   * The host ports an instance really uses, in slot order (0 or absent: unknown). A fixed
   * slot the server had to put elsewhere (remapped: its port was held) moves like `'auto'`
   * from then on.
   */
  portsOf?(instance: I): readonly (number | undefined)[];
  /** Leases a port for an `'auto'` slot. @default core's allocator, accepting TIME_WAIT */
  leasePort?(host: string): Promise<LeasedPort>;
}

export interface RestartableOptions {
  /** @default '127.0.0.1' */
  readonly host?: string;
  /**
   * One port: the first instance's. A number is where the first instance starts:
   * `'fresh-port'` moves away from it like from an `'auto'` one. Ignored with `ports`.
   * @default 'auto'
   */
  readonly port?: number | 'auto';
  /** Several host ports, one slot each (see {@link PortSlot}: a number here is fixed). */
  readonly ports?: readonly PortSlot[];
  /** @default 'wait' */
  readonly strategy?: RestartStrategy;
  /** Allow `'reuseport'` on a non-loopback address (another local process could hijack the port). @default false */
  readonly allowUnsafeReuseport?: boolean;
  /**
   * Keep the next instance started and ready (pristine: no request reaches it) on another
   * port, so that a restart is only a swap: the standby becomes current, the old instance
   * stops in the background and the next standby starts. Needs `'fresh-port'` and ports
   * that may move (`'auto'`, `'random'`); one more server runs while the handle lives.
   * @default false
   */
  readonly standby?: boolean;
  readonly signal?: AbortSignal;
}

/** What one restart may choose. */
export interface RestartCall {
  /** @default the handle's strategy */
  readonly strategy?: RestartStrategy;
  /**
   * Start a new instance now instead of swapping in the standby (the configuration
   * changed: the standby runs the old one). A new standby follows. @default false
   */
  readonly discardStandby?: boolean;
  readonly signal?: AbortSignal;
}

export interface Restartable<I> {
  /** The current instance (throws once stopped). */
  readonly instance: I;
  /** The current instance, or undefined (stopped, restarting, or its last restart failed). */
  readonly current: I | undefined;
  readonly plan: RestartPlan;
  restart(options?: RestartCall): Promise<I>;
  /**
   * The standby and its plan once it is ready, without swapping it in: what the next
   * restart swaps in. Undefined without a standby, or when it failed to start.
   */
  standby(): Promise<{ readonly instance: I; readonly plan: RestartPlan } | undefined>;
  /** Stops the instance (and its standby) and releases the ports and held socket. Idempotent. */
  stop(): Promise<void>;
}
