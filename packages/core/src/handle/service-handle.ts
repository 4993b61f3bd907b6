// One handle shape for every server rebind runs (nginx, a container, a compose project, a
// command), built once here over the one restart mechanism: managers add what is
// specific to their kind, never rename what is shared.
import type { RestartPlan, RestartStrategy, Restartable } from '../restart/restart-plan.js';
import { serviceUrl } from './service-url.js';

/** What every handle's `restart()` takes. */
export interface RestartOptions {
  /** This restart's strategy. @default the handle's own */
  readonly strategy?: RestartStrategy;
  /** Start a new instance instead of swapping in a prepared standby (the configuration changed). @default false */
  readonly discardStandby?: boolean;
  readonly signal?: AbortSignal;
}

/** A running server, whatever its kind: the members every rebind handle has. */
export interface ServiceHandle {
  /** The address the server is reached at. */
  readonly host: string;
  /** The main port (the first listen, the first published port, the endpoint). */
  readonly port: number;
  /** Every port: the port asked for (config's listen, container port...) -> the host port. */
  readonly ports: Readonly<Record<string, number>>;
  /** `http://host:port/`: IPv6 hosts in brackets, always ending with `/`. */
  readonly url: string;
  /** A fresh token per instance: proves an answer comes from the current one. */
  readonly token: string | undefined;
  /** The main process's pid, where there is one (changes on restart). */
  readonly pid: number | undefined;
  /** Replaces the instance with a pristine one; resolves once the new one is proven ready and the old one is gone. */
  restart(options?: RestartOptions): Promise<void>;
  /**
   * With `standby: true`: the standby once it is ready, as the handle will report it after
   * the next restart swaps it in (no request has reached it). Undefined otherwise.
   */
  standby(): Promise<StandbyView | undefined>;
  /** Stops it; idempotent; never leaves a process or container behind. */
  stop(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

/** A ready standby, as its handle will report it once a restart swaps it in. */
export type StandbyView = Pick<ServiceHandle, 'host' | 'port' | 'ports' | 'url' | 'token' | 'pid'>;

/** How a manager reads the shared members off its current instance. */
export interface HandleView<I> {
  readonly host: string;
  port(instance: I, plan: RestartPlan): number;
  ports(instance: I, plan: RestartPlan): Readonly<Record<string, number>>;
  token(instance: I): string | undefined;
  pid?(instance: I): number | undefined;
  /** Runs once after the last instance stopped (prefix removal, leases...). */
  cleanup?(): Promise<void>;
}

/**
 * The handle over a restartable instance. Managers extend it with their own members
 * (`errorLog()`, `logs()`, `portOf()`...).
 */
export class RestartableHandle<I> implements ServiceHandle {
  readonly #view: HandleView<I>;
  #stopped: Promise<void> | undefined;

  constructor(
    protected readonly restartable: Restartable<I>,
    view: HandleView<I>,
  ) {
    this.#view = view;
  }

  /** The current instance (throws `REBIND_NOT_RUNNING` once stopped or after a failed restart). */
  protected get instance(): I {
    return this.restartable.instance;
  }

  get host(): string {
    return this.#view.host;
  }
  get port(): number {
    return this.#view.port(this.instance, this.restartable.plan);
  }
  get ports(): Readonly<Record<string, number>> {
    return this.#view.ports(this.instance, this.restartable.plan);
  }
  get url(): string {
    return serviceUrl(this.host, this.port);
  }
  get token(): string | undefined {
    return this.#view.token(this.instance);
  }
  get pid(): number | undefined {
    return this.#view.pid?.(this.instance);
  }

  async restart(options: RestartOptions = {}): Promise<void> {
    await this.restartable.restart(options);
  }

  /**
   * The standby once it is ready (`standby: true`), as this handle will report it after the
   * next restart swaps it in; no request has reached it. Undefined without a standby, or
   * when it failed to start (the next restart then gives the error).
   */
  async standby(): Promise<StandbyView | undefined> {
    const next = await this.restartable.standby();
    if (next === undefined) return undefined;
    const port = this.#view.port(next.instance, next.plan);
    return {
      host: this.host,
      port,
      ports: this.#view.ports(next.instance, next.plan),
      url: serviceUrl(this.host, port),
      token: this.#view.token(next.instance),
      pid: this.#view.pid?.(next.instance),
    };
  }

  stop(): Promise<void> {
    this.#stopped ??= (async () => {
      try {
        await this.restartable.stop();
      } finally {
        await this.#view.cleanup?.();
      }
    })();
    return this.#stopped;
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.stop();
  }
}
