// The worker side of the control channel: tiny, importing nothing but node:http, node:net
// and core's error module, so it loads fast in every test worker (Vitest forks/threads,
// Jest workers). Calls go over the main process's unix socket when it has one, else HTTP.
import { Agent, request } from 'node:http';
import { fromWire, unreachable, type WireError } from './control-error.js';
import { socketChannel } from './socket-client.js';

export { fromWire } from './control-error.js';
export type { WireError } from './control-error.js';

/** Where a test reaches one service instance. Serialisable. */
export interface ServiceEndpoint {
  /** The service's declared name. */
  readonly service: string;
  /** The worker slot the instance belongs to (0 for a shared instance). */
  readonly slot: number;
  /** Address to connect to, e.g. `127.0.0.1`. */
  readonly host: string;
  /** The (main) port on the host. */
  readonly port: number;
  /** Every published port by its name or container port (`{ '80': 41234 }`). */
  readonly ports: Readonly<Record<string, number>>;
  /** `http://127.0.0.1:41234/` (always ending with `/`) */
  readonly url: string;
  /** Differs for every instance: changes with each restart. */
  readonly token: string;
  /** The instance's main process, when it is a local process. */
  readonly pid?: number;
  /** nginx's private prefix directory (conf/, logs/, html/ for `userFiles`). */
  readonly prefix?: string;
}

/** What the runner's main process hands to test workers (through `inject` or `process.env`). */
export interface RebindContext {
  /** The control channel's base URL (loopback, with a per-run secret path). */
  readonly control: string;
  /**
   * The same channel on a unix socket in a private directory (absent on Windows, or when
   * the path would be too long): workers use it when it is there (a round trip of about
   * 0.1 ms, where HTTP's is 0.5-0.7 ms).
   */
  readonly socket?: string;
  /** Every service's pristine policy, by name. */
  readonly policies: Readonly<Record<string, 'per-test' | 'per-worker' | 'shared'>>;
  /** Endpoints of the shared services, by name. */
  readonly shared: Readonly<Record<string, ServiceEndpoint>>;
  /**
   * Whether a worker sends `test-end` after each test: false when every per-test service
   * has a standby (swapped in at `test-start`: nothing to do when a test ends).
   * @default true
   */
  readonly testEnd?: boolean;
}

export type Endpoints = Readonly<Record<string, ServiceEndpoint>>;

/**
 * The main process's answer: the endpoints of the services that run, and the failure of
 * each service that could not be started or restarted for a reason outside the run (the
 * Docker engine not answering): tests that use it fail with that error when they ask for
 * its endpoint, the other services' tests still run.
 */
export interface ControlReply {
  readonly endpoints: Endpoints;
  readonly failed: Readonly<Record<string, WireError>>;
}

/** The calls a worker makes to the main process. */
export type ControlCall =
  | 'acquire'
  | 'test-start'
  | 'test-end'
  | 'next'
  | 'stats'
  | 'configure'
  | 'error-log'
  | 'access-log'
  | 'tests';

// One connection kept open per concurrent call: a new TCP connection per call cost about
// 0.5 ms more per round trip here. Idle sockets are unref'd by the agent (they never keep
// a worker alive) and dropped after 4 s, before the main process's 10 s keep-alive
// timeout, so that a call never goes out on a socket the other side is closing.
const agent = new Agent({ keepAlive: true, timeout: 4_000 });

/**
 * Where the main process answers: the context (its `socket` when it has one, else
 * `control`), or the HTTP channel's URL alone.
 */
export type ControlTarget = string | { readonly control: string; readonly socket?: string };

/** A control answer: endpoints, one endpoint (`configure`) or a log (`error-log`, `access-log`). */
export interface ControlAnswer {
  readonly endpoints?: Endpoints;
  readonly endpoint?: ServiceEndpoint;
  readonly log?: string;
  readonly failed?: Readonly<Record<string, WireError>>;
  readonly error?: WireError;
}

/** A RebindError (when `code` is rebind's) as the main process would send it. */
export const remoteError = (message: string, code: string | undefined): Error =>
  fromWire({ message, code });

/**
 * Asks the main process for this slot's endpoints (`acquire`: start what is missing;
 * `test-start`: finish or do the restart of the per-test services already used, then
 * hand them out; `test-end`: start restarting them now, while the runner moves on to the
 * next test, and answer at once with no endpoints).
 */
export async function callControl(
  target: ControlTarget,
  call: ControlCall,
  slot = 0,
): Promise<ControlReply> {
  const answer = await askControl(target, call, slot);
  return { endpoints: answer.endpoints ?? {}, failed: answer.failed ?? {} };
}

/** One control call with an optional JSON body; rejects with the main process's error. */
export function askControl(
  target: ControlTarget,
  call: ControlCall,
  slot = 0,
  body?: unknown,
  query = '',
  { background = false }: { readonly background?: boolean } = {},
): Promise<ControlAnswer> {
  if (typeof target !== 'string' && target.socket !== undefined)
    return socketChannel(target.socket, target.control).call({
      call,
      slot,
      query,
      body,
      background,
    });
  const control = typeof target === 'string' ? target : target.control;
  return new Promise((resolve, reject) => {
    const req = request(
      `${control}/${call}?slot=${slot}${query}`,
      { method: 'POST', agent },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => {
          try {
            const parsed = JSON.parse(text) as ControlAnswer;
            if (res.statusCode === 200 && parsed.error === undefined) resolve(parsed);
            else reject(fromWire(parsed.error ?? { message: text }));
          } catch (error) {
            reject(error as Error);
          }
        });
      },
    );
    // A call answered whenever the main process is ready (`next`) keeps no worker alive.
    if (background) req.on('socket', (socket) => socket.unref());
    req.on('error', (error) => reject(unreachable(control, error)));
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

/** The worker slot of this process: `VITEST_POOL_ID` or `JEST_WORKER_ID`, else 1. */
export function currentSlot(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.VITEST_POOL_ID ?? env.JEST_WORKER_ID ?? '1';
  const slot = Number(raw);
  return Number.isInteger(slot) && slot > 0 ? slot : 1;
}

/**
 * Where each test of a worker starts. When every per-test service keeps a standby
 * (`prefetch`), the standbys' endpoints are asked for while a test runs (`next`: the main
 * process answers once they are ready), so that the next test starts on them at once: its
 * `test-start` (the swap) is sent without waiting for the answer. Otherwise, or when the
 * standbys were not ready in time, each test waits for its `test-start` answer.
 */
export class TestStarts {
  #ready: ControlReply | undefined;
  #generation = 0;

  constructor(
    readonly control: ControlTarget,
    readonly slot: number,
    readonly prefetch: boolean,
  ) {}

  /** Whether the next test will start on standbys already known to be ready. */
  get prefetched(): boolean {
    return this.#ready !== undefined;
  }

  /** The endpoints of the test starting now; `more`: another test follows in this worker. */
  async start(more: boolean): Promise<ControlReply> {
    const generation = ++this.#generation;
    const ready = this.#ready;
    this.#ready = undefined;
    let swapped: Promise<unknown> = Promise.resolve();
    let reply: ControlReply;
    if (ready === undefined) {
      reply = await callControl(this.control, 'test-start', this.slot);
    } else {
      reply = ready;
      swapped = askControl(this.control, 'test-start', this.slot, undefined, '&prefetched=1');
    }
    const next = async () => {
      await swapped;
      if (!this.prefetch || !more) return;
      const answer = await askControl(this.control, 'next', this.slot, undefined, '', {
        background: true,
      });
      if (generation === this.#generation && answer.endpoints !== undefined)
        this.#ready = { endpoints: answer.endpoints, failed: answer.failed ?? {} };
    };
    // A failure here leaves #ready unset: the next test waits for its own test-start,
    // whose answer carries the error.
    next().catch(() => undefined);
    return reply;
  }
}
