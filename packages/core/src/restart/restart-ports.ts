// The host ports of one restartable instance, slot by slot: which stay, which move on a
// 'fresh-port' restart, and the leases behind the moving ones. Used by startRestartable.
import { leasePort, type LeasedPort } from '../allocate/lease-port.js';
import { invalidOption, validatePort } from '../validate.js';

/**
 * One host port of a restartable instance:
 * - a number: fixed; every instance gets it, so a restart never moves it (a
 *   `'fresh-port'` restart then orders like `'wait'`);
 * - `'auto'`: a port rebind leases; `'fresh-port'` moves it;
 * - `'random'`: the server picks one at each start (the plan carries 0).
 */
export type PortSlot = number | 'auto' | 'random';

/** A slot as startRestartable asks for it: a `PortSlot`, or `{ first }`: start there, then move like `'auto'`. */
export type SlotRequest = PortSlot | { readonly first: number };

export type LeasePort = (host: string) => Promise<LeasedPort>;

/** How many ports a moving slot rotates through. */
const FRESH_PORTS = 4;

interface Slot {
  fixed: boolean;
  readonly random: boolean;
  /** The slot's port in the latest plan; undefined: none yet (lease one). */
  port: number | undefined;
  readonly leases: LeasedPort[];
  spare: Promise<LeasedPort> | undefined;
}

export function validatePortSlots(value: unknown, name = 'ports'): readonly PortSlot[] {
  if (!Array.isArray(value))
    throw invalidOption(name, "an array of ports, 'auto' or 'random'", value);
  return (value as unknown[]).map((slot, i) =>
    slot === 'auto' || slot === 'random' ? slot : validatePort(slot, `${name}[${i}]`),
  );
}

/**
 * A moving slot rotates through up to FRESH_PORTS leased ports (each restart moves to a
 * port other than the running instance's, whose own old instance is long gone) instead of
 * leasing and releasing one per restart: the allocator's latency spikes (200-900 ms seen
 * under load) stay off the restart path, and a thousand restarts do not leave a thousand
 * ports cooling down.
 */
export class RestartPorts {
  readonly #host: string;
  readonly #lease: LeasePort;
  readonly #slots: Slot[];

  constructor(host: string, requests: readonly SlotRequest[], lease: LeasePort = leasePort) {
    this.#host = host;
    this.#lease = lease;
    this.#slots = requests.map((request) => ({
      fixed: typeof request === 'number',
      random: request === 'random',
      port:
        typeof request === 'number'
          ? request
          : typeof request === 'object'
            ? request.first
            : undefined,
      leases: [],
      spare: undefined,
    }));
  }

  /** Per slot: `true` while its port is fixed. */
  get fixed(): boolean[] {
    return this.#slots.map((s) => s.fixed);
  }

  get anyFixed(): boolean {
    return this.#slots.some((s) => s.fixed);
  }

  /** The ports of a start that keeps them ('wait'...): a slot without one yet gets a lease. */
  keep(): Promise<number[]> {
    return Promise.all(
      this.#slots.map(async (s) => {
        if (s.random) return 0;
        s.port ??= await this.#newLease(s);
        return s.port;
      }),
    );
  }

  /** The ports of a 'fresh-port' start: every moving slot on a port other than its current one. */
  move(): Promise<number[]> {
    return Promise.all(
      this.#slots.map(async (s) => {
        if (s.random) return 0;
        if (s.fixed) return s.port as number;
        s.port = await this.#next(s);
        return s.port;
      }),
    );
  }

  /**
   * After a start, with the ports the server really used: a fixed slot it had to put
   * elsewhere (its port was held: remapped) moves like `'auto'` from now on, on ports
   * leased here; a leased port it could not use (taken meanwhile) is dropped.
   */
  async adopt(
    planned: readonly number[],
    actual: readonly (number | undefined)[] | undefined,
  ): Promise<void> {
    for (const [i, s] of this.#slots.entries()) {
      const got = actual?.[i];
      if (s.random || got === undefined || got === 0 || got === planned[i]) continue;
      s.port = undefined;
      if (s.fixed) {
        s.fixed = false;
        continue;
      }
      const index = s.leases.findIndex((l) => l.port === planned[i]);
      if (index >= 0) await s.leases.splice(index, 1)[0]?.release();
    }
  }

  /** Leases the next moving ports in the background, off the restart path. */
  prepareSpares(): void {
    for (const s of this.#slots) {
      if (s.fixed || s.random || s.leases.length >= FRESH_PORTS || s.spare !== undefined) continue;
      s.spare = this.#lease(this.#host);
      s.spare.catch(() => undefined);
    }
  }

  async release(): Promise<void> {
    await Promise.all(
      this.#slots.map(async (s) => {
        const pending = s.spare;
        s.spare = undefined;
        await pending?.then((l) => l.release()).catch(() => undefined);
        await Promise.all(s.leases.splice(0).map((l) => l.release()));
      }),
    );
  }

  async #newLease(s: Slot): Promise<number> {
    const pending = s.spare;
    s.spare = undefined;
    const next = (await pending?.catch(() => undefined)) ?? (await this.#lease(this.#host));
    s.leases.push(next);
    return next.port;
  }

  async #next(s: Slot): Promise<number> {
    if (s.leases.length < FRESH_PORTS) {
      const port = await this.#newLease(s);
      this.prepareSpares();
      return port;
    }
    const index = s.leases.findIndex((l) => l.port === s.port);
    return (s.leases[(index + 1) % s.leases.length] as LeasedPort).port;
  }
}
