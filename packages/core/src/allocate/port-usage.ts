import { readFile } from 'node:fs/promises';
import { procNetRows } from '../proc/proc-net.js';

/**
 * Which local TCP ports have a socket in any state, and which UDP ports are bound, read
 * from /proc/net (Linux; elsewhere the snapshot is empty and bind probes decide alone).
 *
 * Reading /proc/net/tcp costs 3-5 ms per file whatever it holds, far too slow per
 * allocation, so a snapshot is shared and refreshed at most every `maxAgeMs`, in the
 * background; a call waits for a read only once the snapshot is `maxStaleMs` old.
 */
export interface UsageSnapshot {
  /** Local TCP port -> true when every socket on it is in TIME_WAIT. */
  readonly tcp: ReadonlyMap<number, boolean>;
  /** Local UDP ports bound on 127.0.0.1 or 0.0.0.0 (where rebind's locks live) -> inodes. */
  readonly udp: ReadonlyMap<number, readonly string[]>;
  /** `performance.now()` when the read started: anything older is in it. */
  readonly takenAt: number;
}

/** Parses /proc/net/tcp or tcp6 text into `tcp` (port -> only TIME_WAIT). */
export function parseTcpTable(
  text: string,
  into = new Map<number, boolean>(),
): Map<number, boolean> {
  for (const { port, state } of procNetRows(text)) {
    if (port === 0) continue;
    into.set(port, (into.get(port) ?? true) && state === '06');
  }
  return into;
}

/** 127.0.0.1 in host byte order (little- or big-endian), and 0.0.0.0. */
const lockAddresses = new Set(['0100007F', '7F000001', '00000000']);

/** Parses /proc/net/udp text into the ports bound on 127.0.0.1 or 0.0.0.0, with inodes. */
export function parseUdpTable(text: string): Map<number, string[]> {
  const ports = new Map<number, string[]>();
  for (const { line, local, port } of procNetRows(text)) {
    if (!lockAddresses.has(local) || port === 0) continue;
    const inode = line.trim().split(/\s+/)[9];
    if (inode === undefined) continue;
    ports.set(port, [...(ports.get(port) ?? []), inode]);
  }
  return ports;
}

async function readOrEmpty(path: string): Promise<string> {
  try {
    return await readFile(path, 'latin1');
  } catch {
    return '';
  }
}

/** Reads /proc/net/udp alone (cheap: the locks' table), empty where it does not exist. */
export async function readUdpTable(): Promise<Map<number, string[]>> {
  return parseUdpTable(await readOrEmpty('/proc/net/udp'));
}

const empty: UsageSnapshot = { tcp: new Map(), udp: new Map(), takenAt: -Infinity };

export class PortUsage {
  #snapshot: UsageSnapshot = empty;
  #pending: Promise<UsageSnapshot> | undefined;
  readonly #enabled: boolean;

  constructor(
    readonly maxAgeMs = 250,
    readonly maxStaleMs = 2000,
    platform: NodeJS.Platform = process.platform,
  ) {
    this.#enabled = platform === 'linux';
  }

  /**
   * The current snapshot. Older than `maxAgeMs`: a refresh starts in the background and
   * the snapshot is still used while younger than `maxStaleMs`; beyond that (or with
   * `force`), the call waits for a fresh read. (A read costs 3-5 ms per table here, but
   * 30-150 ms on a loaded machine with thousands of TIME_WAIT sockets: a restart path that
   * allocates every second or so must not wait for it each time.)
   */
  async get(force = false): Promise<UsageSnapshot> {
    if (!this.#enabled) return { ...empty, takenAt: performance.now() };
    const age = performance.now() - this.#snapshot.takenAt;
    if (!force && age < this.maxAgeMs) return this.#snapshot;
    if (!force && age < this.maxStaleMs) {
      this.#pending ??= this.#read();
      return this.#snapshot;
    }
    // A refresh already under way started before this call: only reuse it if not forced.
    if (this.#pending && !force) return this.#pending;
    return this.#read();
  }

  #read(): Promise<UsageSnapshot> {
    const takenAt = performance.now();
    const pending = Promise.all([
      readOrEmpty('/proc/net/tcp'),
      readOrEmpty('/proc/net/tcp6'),
      readOrEmpty('/proc/net/udp'),
    ]).then(([tcp4, tcp6, udp]) => {
      const snapshot: UsageSnapshot = {
        tcp: parseTcpTable(tcp6, parseTcpTable(tcp4)),
        udp: parseUdpTable(udp),
        takenAt,
      };
      if (takenAt >= this.#snapshot.takenAt) this.#snapshot = snapshot;
      return snapshot;
    });
    this.#pending = pending;
    const settle = () => {
      if (this.#pending === pending) this.#pending = undefined;
    };
    pending.then(settle, settle);
    return pending;
  }

  /** The last snapshot, however old (no read). */
  peek(): UsageSnapshot {
    return this.#snapshot;
  }
}

/** True when a server (with SO_REUSEADDR if `acceptTimeWait`) would be blocked by a socket. */
export function tcpBusy(snapshot: UsageSnapshot, port: number, acceptTimeWait: boolean): boolean {
  const onlyTimeWait = snapshot.tcp.get(port);
  if (onlyTimeWait === undefined) return false;
  return !(acceptTimeWait && onlyTimeWait);
}
