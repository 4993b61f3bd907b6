/** The TCP states, named as in the kernel (and `/proc/net/tcp`), plus `CLOSE`. */
export const tcpStates = [
  'ESTABLISHED',
  'SYN_SENT',
  'SYN_RECV',
  'FIN_WAIT1',
  'FIN_WAIT2',
  'TIME_WAIT',
  'CLOSE',
  'CLOSE_WAIT',
  'LAST_ACK',
  'LISTEN',
  'CLOSING',
] as const;

export type TcpState = (typeof tcpStates)[number];

/** One TCP socket whose local port is the port inspected. */
export interface PortSocket {
  readonly family: 4 | 6;
  /** Canonical text: `127.0.0.1`, `::`, `::1`, `::ffff:127.0.0.1`. */
  readonly localAddress: string;
  readonly localPort: number;
  readonly remoteAddress: string;
  /** 0 for a listener. */
  readonly remotePort: number;
  readonly state: TcpState;
  /** The first process found holding it (see `owners` for all of them). */
  readonly pid?: number;
  /** The socket's owning uid, from the kernel's table (Linux). */
  readonly uid?: number;
  /** The socket's inode (Linux); 0 for TIME_WAIT, which no process owns. */
  readonly inode?: number;
  /**
   * For an IPv6 socket on Linux (from `ss`): true when IPV6_V6ONLY is set; false for a
   * dual-stack socket, which also holds the IPv4 side. Undefined when unknown.
   */
  readonly v6Only?: boolean;
}

/** The container a `docker-proxy` forwards to. */
export interface ContainerInfo {
  readonly id: string;
  readonly name: string;
  readonly image: string;
  /** From the proxy's command line. */
  readonly containerIp?: string;
  readonly containerPort?: number;
}

/** A process holding one of the sockets. */
export interface PortOwner {
  /** `undefined` when the owner could not be seen (another user's process, not root). */
  readonly pid?: number;
  /** False when rebind was not permitted to see who holds the socket: then only `uid` is known. */
  readonly known: boolean;
  /** The executable's short name (`/proc/<pid>/comm`, `ps -o comm`), e.g. `nginx`. */
  readonly command?: string;
  /** The full command line, arguments joined by spaces. */
  readonly commandLine?: string;
  readonly uid?: number;
  readonly user?: string;
  readonly parentPid?: number;
  /** For a `docker-proxy`, the container it forwards to (when an engine answered). */
  readonly container?: ContainerInfo;
  /** For a `docker-proxy`, what its command line says even without an engine. */
  readonly proxy?: { readonly containerIp: string; readonly containerPort: number };
}

/** What a new server could do right now, from real bind probes. */
export interface Bindable {
  /** A server that does not set SO_REUSEADDR could bind (no socket of any state conflicts). */
  readonly plain: boolean;
  /** A server that sets SO_REUSEADDR (Node, nginx, Go, Java) could bind. */
  readonly reuseAddr: boolean;
  /**
   * The SO_REUSEADDR bind probes behind `reuseAddr` (never listening): on `0.0.0.0` and on
   * `::` (IPV6_V6ONLY), or on `host` when given. `result` is `'ok'` or the errno name.
   */
  readonly probes: readonly { readonly address: string; readonly result: string }[];
}

export type PortVerdict = 'free' | 'listening' | 'time-wait' | 'busy';

export interface PortReport {
  readonly port: number;
  readonly sockets: readonly PortSocket[];
  readonly owners: readonly PortOwner[];
  readonly bindable: Bindable;
  readonly verdict: PortVerdict;
  /** One short paragraph naming the cause, the holder and the fix. */
  readonly explanation: string;
}
