// The runner's slots: one handle per service and worker slot (slot 0: shared), restarted
// per test on request. The second and last layer above a manager's handle.
import { isRebindError, type Logger, type ServiceHandle } from '@rebind/core';
import type { ControlCall, ControlReply, ServiceEndpoint } from './client.js';
import { toWire, type WireError } from './control-error.js';
import type { ResolvedService } from './declaration.js';
import { hasStandby, prefetchedSwapDelay } from './standby.js';
import { startInstance } from './start-instance.js';

export interface Slot {
  readonly service: ResolvedService;
  readonly slot: number;
  readonly handle: ServiceHandle;
  generation: number;
  /** A test already ran against this instance: the next test needs a fresh one. */
  used: boolean;
  /** A restart begun at `test-end`, awaited by the slot's next `test-start`. */
  pending: Promise<void> | undefined;
  readonly pids: Set<number>;
}

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
};

export class ServiceSlots {
  readonly #slots = new Map<string, Promise<Slot>>();
  /** When each slot's standbys were last reported ready (next()). */
  readonly #readyAt = new Map<number, number>();
  readonly restartMs: number[] = [];
  tests = 0;
  /** Tests that started on standbys already known to be ready (see next()). */
  prefetched = 0;
  stopping = false;

  constructor(
    readonly services: readonly ResolvedService[],
    readonly runId: string,
    readonly log: Logger,
  ) {}

  get size(): number {
    return this.#slots.size;
  }

  endpointOf(s: Slot): ServiceEndpoint {
    const { handle } = s;
    return {
      service: s.service.name,
      slot: s.slot,
      host: handle.host,
      port: handle.port,
      ports: handle.ports,
      url: handle.url,
      ...(handle.pid === undefined ? {} : { pid: handle.pid }),
      token: handle.token ?? `${this.runId}/${s.service.name}/${s.slot}/${s.generation}`,
    };
  }

  slotOf(service: ResolvedService, slot: number): Promise<Slot> {
    const key = `${service.name}#${slot}`;
    let pending = this.#slots.get(key);
    if (pending === undefined) {
      this.log('starting %s for slot %d', service.name, slot);
      const labels = { 'rebind.runner': this.runId };
      pending = startInstance({ service, slot, labels }).then((handle) => {
        const s: Slot = {
          service,
          slot,
          handle,
          generation: 1,
          used: false,
          pending: undefined,
          pids: new Set(),
        };
        track(s);
        return s;
      });
      this.#slots.set(key, pending);
      pending.catch(() => this.#slots.delete(key));
    }
    return pending;
  }

  async restart(s: Slot): Promise<void> {
    const t0 = performance.now();
    await s.handle.restart();
    const took = performance.now() - t0;
    this.restartMs.push(took);
    this.log('restarted %s for slot %d: %s ms', s.service.name, s.slot, took.toFixed(2));
    s.generation += 1;
    track(s);
  }

  // After a test, restart its per-test instances at once: the restart overlaps the
  // runner's own work between tests (reporting, hooks), and the next test-start awaits it.
  // After the worker's last test (`last`, of its file) none: a next test-start restarts.
  // A service with a standby swaps at test-start instead (see restartsAtEnd).
  testEnd(slot: number, last = false): void {
    if (last) return;
    for (const service of this.services) {
      if (!restartsAtEnd(service)) continue;
      void this.#slots.get(`${service.name}#${slot}`)?.then((s) => {
        if (!s.used || s.pending !== undefined || this.stopping) return;
        const pending = this.restart(s).then(() => void (s.used = false));
        s.pending = pending;
        pending.catch((error: unknown) =>
          this.log('restart of %s failed: %s', service.name, error),
        );
      });
    }
  }

  /**
   * The slot's endpoints. A service whose engine does not answer is reported in `failed`
   * (the tests that use it fail with that error, the others run); any other failure fails
   * the call.
   */
  async endpoints(call: ControlCall, slot: number, prefetched = false): Promise<ControlReply> {
    if (this.stopping) throw new Error('rebind: the run is ending; no new instances.');
    if (call === 'test-start') this.tests += 1;
    if (prefetched) this.prefetched += 1;
    // The worker already runs its test on the standbys (see next()): the swaps wait for
    // the test's first request.
    if (prefetched) {
      const spare = performance.now() - (this.#readyAt.get(slot) ?? Infinity);
      await new Promise((resolve) => setTimeout(resolve, prefetchedSwapDelay(spare)));
      if (this.stopping) throw new Error('rebind: the run is ending; no new instances.');
    }
    const results = await Promise.allSettled(
      this.services.map((service) => this.#endpoint(service, call, slot)),
    );
    const endpoints: Record<string, ServiceEndpoint> = {};
    const failed: Record<string, WireError> = {};
    for (const [i, result] of results.entries()) {
      const name = (this.services[i] as ResolvedService).name;
      if (result.status === 'fulfilled') endpoints[name] = result.value;
      else if (isRebindError(result.reason, 'REBIND_DOCKER_UNAVAILABLE'))
        failed[name] = toWire(result.reason);
      else throw result.reason;
    }
    return { endpoints, failed };
  }

  async #endpoint(
    service: ResolvedService,
    call: ControlCall,
    slot: number,
  ): Promise<ServiceEndpoint> {
    const s = await this.slotOf(service, service.pristine === 'shared' ? 0 : slot);
    // A restart begun at test-end must finish first: a handle has no address while it
    // restarts. A failed one is retried by this test's restart (s.used stays true).
    const t0 = performance.now();
    await settle(s);
    this.log(
      '%s %s slot %d: waited %s ms for the restart begun at test-end',
      call,
      service.name,
      s.slot,
      (performance.now() - t0).toFixed(2),
    );
    if (call === 'test-start' && service.pristine === 'per-test') {
      if (s.used) await this.restart(s);
      s.used = true;
    }
    return this.endpointOf(s);
  }

  /**
   * The endpoints the slot's next test-start will hand out, once every per-test service's
   * standby is ready (the worker starts its next test on them without waiting for that
   * call). Undefined when a per-test service has no ready standby: the next test waits for
   * its test-start, as without a standby.
   */
  async next(slot: number): Promise<Record<string, ServiceEndpoint> | undefined> {
    const endpoints: Record<string, ServiceEndpoint> = {};
    for (const service of this.services) {
      const s = await this.slotOf(service, service.pristine === 'shared' ? 0 : slot);
      if (service.pristine !== 'per-test') {
        endpoints[service.name] = this.endpointOf(s);
        continue;
      }
      await settle(s);
      const view = await s.handle.standby();
      if (view === undefined || this.stopping) return undefined;
      endpoints[service.name] = {
        service: service.name,
        slot: s.slot,
        host: view.host,
        port: view.port,
        ports: view.ports,
        url: view.url,
        ...(view.pid === undefined ? {} : { pid: view.pid }),
        token: view.token ?? `${this.runId}/${service.name}/${s.slot}/${s.generation + 1}`,
      };
    }
    this.#readyAt.set(slot, performance.now());
    return endpoints;
  }

  /** Applies each service's `rerun` policy (watch mode). */
  async rerun(): Promise<void> {
    const all = await Promise.all(this.#slots.values());
    await Promise.allSettled(all.map(settle));
    await Promise.all(
      all
        .filter((s) => s.service.rerun === 'restart')
        .map((s) => this.restart(s).then(() => void (s.used = false))),
    );
  }

  /** Stops every handle; returns the pids still alive after. */
  async stopAll(): Promise<number[]> {
    this.stopping = true;
    const all = await Promise.allSettled([...this.#slots.values()]);
    this.#slots.clear();
    await Promise.allSettled(
      all.flatMap((r) => (r.status === 'fulfilled' && r.value.pending ? [r.value.pending] : [])),
    );
    const pids: number[] = [];
    const results = await Promise.allSettled(
      all.map(async (r) => {
        if (r.status !== 'fulfilled') return;
        pids.push(...r.value.pids);
        await r.value.handle.stop();
      }),
    );
    const failed = results.find((r) => r.status === 'rejected');
    if (failed) throw failed.reason;
    return pids.filter(alive);
  }
}

/**
 * Whether the service's instance is restarted when a test ends. Not with a standby: the
 * swap takes well under a millisecond at test-start, whose answer is then sent before the
 * background work the swap leaves (the next standby's start, the old instance's stop)
 * begins; begun at test-end, that work held up the main process just as the worker's
 * test-start arrived (tens of ms per test in a Vitest run).
 */
export function restartsAtEnd(service: ResolvedService): boolean {
  return service.pristine === 'per-test' && !hasStandby(service);
}

function track(s: Slot): void {
  const pid = s.handle.pid;
  if (pid !== undefined) s.pids.add(pid);
}

async function settle(s: Slot): Promise<void> {
  const pending = s.pending;
  if (pending === undefined) return;
  try {
    await pending;
  } finally {
    s.pending = undefined;
  }
}
