// What the control channel answers each call with, whichever way the call came (loopback
// HTTP or the unix socket): one dispatch for both.
import type { ControlAnswer, ServiceEndpoint } from './client.js';
import { toWire } from './control-error.js';
import { validateFixtureRequest, type FixtureSlots } from './fixture-slots.js';
import type { ServiceSlots } from './service-slots.js';

/** Figures for the summary line. */
export interface HostStats {
  readonly tests: number;
  readonly restarts: number;
  /** Every restart's duration, in ms. */
  readonly restartMs: readonly number[];
  readonly slots: number;
  /** Ms the host spent getting tests' servers ready at their start (restarts waited for, tests' own configurations). */
  readonly addedMs: number;
  /** Tests that started on standbys already known to be ready (no call waited for). @default 0 */
  readonly prefetched?: number;
}

/** One call as either transport received it; `query` holds `prefetched`, `last`, `count`. */
export interface ControlRequest {
  readonly call: string;
  readonly slot: number;
  readonly query: URLSearchParams;
  /** The request's JSON body, parsed (undefined when none). */
  readonly body: unknown;
}

/** The answer and its HTTP status (the socket sends the answer alone: `error` marks a failure). */
export interface ControlResult {
  readonly status: number;
  readonly answer: ControlAnswer & { readonly stats?: HostStats };
}

const calls = new Set([
  'acquire',
  'test-start',
  'test-end',
  'next',
  'stats',
  'configure',
  'error-log',
  'access-log',
  'tests',
]);

export class ControlAnswers {
  addedMs = 0;
  constructor(
    readonly slots: ServiceSlots,
    readonly fixtures: FixtureSlots,
  ) {}

  stats(): HostStats {
    const slots = this.slots;
    return {
      tests: slots.tests,
      restarts: slots.restartMs.length,
      restartMs: [...slots.restartMs],
      slots: slots.size,
      addedMs: this.addedMs,
      prefetched: slots.prefetched,
    };
  }

  /** Answers one call; never rejects (a failure is a 500 with the error on the wire). */
  async dispatch({ call, slot, query, body }: ControlRequest): Promise<ControlResult> {
    if (!calls.has(call)) return { status: 404, answer: { error: { message: unknownCall } } };
    try {
      return { status: 200, answer: await this.answer(call, slot, query, body) };
    } catch (error) {
      return { status: 500, answer: { error: toWire(error) } };
    }
  }

  // A test's own server (fixtures, Jest's helper): its options are the request's body.
  async configure(slot: number, body: unknown): Promise<ServiceEndpoint> {
    if (this.slots.stopping) throw new Error('rebind: the run is ending; no new instances.');
    const request = validateFixtureRequest(body ?? {});
    const t0 = performance.now();
    // A failed start or restart (a config nginx rejects) counts as added time, not as a restart.
    let restarted = false;
    try {
      const result = await this.fixtures.configure(slot, request);
      restarted = result.restarted;
      return result.endpoint;
    } finally {
      const took = performance.now() - t0;
      this.addedMs += took;
      if (restarted) this.slots.restartMs.push(took);
    }
  }

  async answer(
    call: string,
    slot: number,
    query: URLSearchParams,
    body: unknown,
  ): Promise<ControlResult['answer']> {
    switch (call) {
      case 'test-end':
        // The worker's last test (of its file): no restart now; a next test-start restarts.
        this.slots.testEnd(slot, query.get('last') === '1');
        return { endpoints: {} };
      case 'stats':
        return { endpoints: {}, stats: this.stats() };
      case 'configure':
        return { endpoint: await this.configure(slot, body) };
      case 'error-log':
        return { log: await this.fixtures.errorLog(slot) };
      case 'access-log':
        return { log: await this.fixtures.accessLog(slot) };
      case 'next': {
        // Answered once the standbys are ready: the worker's next test starts on them.
        const t0 = performance.now();
        const endpoints = await this.slots.next(slot);
        const took = (performance.now() - t0).toFixed(2);
        this.slots.log(
          'next for slot %d: %s after %s ms',
          slot,
          endpoints ? 'ready' : 'none',
          took,
        );
        return endpoints === undefined ? {} : { endpoints };
      }
      case 'tests': // counted by workers that make no test-start call (no per-test service)
        this.slots.tests += Number(query.get('count') ?? 0) || 0;
        return { endpoints: {} };
      default: {
        const t0 = performance.now();
        // the endpoints, and the services the engine could not start (see ServiceSlots)
        // `prefetched`: the worker already runs its test on the standbys; its time is not
        // the test's.
        const prefetched = call === 'test-start' && query.get('prefetched') === '1';
        const reply = await this.slots.endpoints(
          call as 'acquire' | 'test-start',
          slot,
          prefetched,
        );
        if (prefetched) this.slots.log('test-start for slot %d: started on the standbys', slot);
        else if (call === 'test-start') this.addedMs += performance.now() - t0;
        return reply;
      }
    }
  }
}

export const unknownCall = 'unknown rebind control call';
