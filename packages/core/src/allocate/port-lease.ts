import net from 'node:net';
import { RebindError } from '../errors.js';
import { invalidOption } from '../validate.js';
import { serverFd } from '../node-internals.js';

export interface LeaseListenOptions {
  /**
   * The address to listen on.
   * @default '127.0.0.1'
   */
  readonly host?: string;
  /** The accept queue length passed to listen(2). @default 511 (Node's default) */
  readonly backlog?: number;
  /** With `host: '::'`, accept IPv6 only. @default false */
  readonly ipv6Only?: boolean;
}

/** A listening `net.Server` on a lease's port, with its file descriptor. */
export interface LeaseServer extends net.Server {
  /** The listening socket's fd in this process (for `spawn`'s `stdio`); -1 on Windows. */
  readonly fd: number;
}

/**
 * A port held for this process until {@link PortLease.release} (or until the process
 * dies: the kernel frees the lock). No other process, worker or runner using rebind gets
 * it meanwhile; the holder's own servers bind it freely, as often as they restart.
 */
export interface PortLease {
  /** The leased TCP port. */
  readonly port: number;
  /** The addresses on which the port was free when leased. */
  readonly hosts: readonly string[];
  /** True once {@link PortLease.release} was called. */
  readonly released: boolean;
  /**
   * Opens a listening TCP socket on the leased port, for a server that can take over an
   * already bound socket (nginx through `NGINX="3;"`, any child through an inherited fd:
   * put `server.fd` in `spawn`'s `stdio` array). Node itself accepts connections on it
   * from the next turn of the event loop: hand it to the child and `close()` your copy in
   * the same tick (no `await` in between), and Node never accepts one.
   */
  listen(options?: LeaseListenOptions): Promise<LeaseServer>;
  /**
   * Ends the lease. The port cools down before anyone can lease it again: its lock is kept
   * while a listener or (unless the lease accepted it) a TIME_WAIT socket remains on it.
   * Idempotent; resolves at once.
   */
  release(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

export class Lease implements PortLease {
  #released = false;

  constructor(
    readonly port: number,
    readonly hosts: readonly string[],
    private readonly onRelease: (lease: Lease) => void,
  ) {}

  get released(): boolean {
    return this.#released;
  }

  listen(options: LeaseListenOptions = {}): Promise<LeaseServer> {
    const { host = '127.0.0.1', backlog, ipv6Only = false } = options;
    if (typeof host !== 'string' || net.isIP(host) === 0) {
      return Promise.reject(invalidOption('host', 'an IP address', host));
    }
    if (this.#released) {
      return Promise.reject(
        new RebindError(
          'REBIND_INVALID_OPTION',
          `The lease on port ${this.port} was released: allocate a new port before listening.`,
          { details: { port: this.port } },
        ),
      );
    }
    return new Promise((resolve, reject) => {
      const server = net.createServer();
      server.once('error', reject);
      server.listen({ port: this.port, host, backlog, ipv6Only, exclusive: true }, () => {
        server.off('error', reject);
        resolve(Object.defineProperty(server, 'fd', { value: serverFd(server) }) as LeaseServer);
      });
    });
  }

  release(): Promise<void> {
    if (!this.#released) {
      this.#released = true;
      this.onRelease(this);
    }
    return Promise.resolve();
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.release();
  }
}
