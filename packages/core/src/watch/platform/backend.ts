import type { PortOwner, PortSocket } from '../port-report.js';

/** Runs a command and resolves to its stdout (the darwin/win32 back ends; injectable). */
export type CommandRunner = (command: string, args: readonly string[]) => Promise<string>;

/** Facts about the OS that explanations use. */
export interface PlatformFacts {
  /** The ephemeral port range outgoing connections draw from. */
  readonly ephemeralRange?: readonly [number, number];
  /** Ports below this need privilege (Linux `net.ipv4.ip_unprivileged_port_start`). */
  readonly unprivilegedPortStart: number;
  /** Whether this process may bind privileged ports. */
  readonly privileged: boolean;
}

/** One OS back end: the same normalised shape from /proc, lsof/netstat or netstat -ano. */
export interface PlatformBackend {
  readonly platform: string;
  /** Every TCP socket whose local port is `port`, IPv4 and IPv6. */
  listSockets(port: number): Promise<PortSocket[]>;
  /**
   * The processes holding `sockets`; returns the sockets with `pid` filled in where found.
   * `docker` (default true) asks the engine which container a docker-proxy serves.
   */
  findOwners(
    sockets: readonly PortSocket[],
    options: { readonly docker: boolean; readonly pids?: readonly number[] },
  ): Promise<{ sockets: PortSocket[]; owners: PortOwner[] }>;
  facts(): PlatformFacts;
}
