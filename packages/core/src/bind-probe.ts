import net from 'node:net';
import os from 'node:os';
import { invalidOption } from './validate.js';

/**
 * Bind probes: "would a TCP server bind this port now?", answered by binding it (never by
 * connecting: a connect probe leaves TIME_WAIT behind and may be answered by a server that
 * is about to go). Node's listen() sets SO_REUSEADDR, so TIME_WAIT is judged separately
 * from /proc/net (see port-usage.ts).
 */

let ipv6 = true;

/** The addresses probed by default: the dual-stack wildcard, which conflicts with any IPv4 or IPv6 listener. */
export function defaultProbeHosts(): readonly string[] {
  return ipv6 ? ['::'] : ['0.0.0.0'];
}

/** The families' wildcards, reported as a default lease's `hosts`. */
export function defaultLeaseHosts(): readonly string[] {
  return ipv6 ? ['0.0.0.0', '::'] : ['0.0.0.0'];
}

const wildcards = new Set(['0.0.0.0', '::']);

/**
 * Validates the `host`/`hosts` options: each must be `localhost`, a wildcard or an address
 * of this machine. Returns the addresses to probe (`localhost` gives 127.0.0.1 and ::1).
 */
export function resolveHosts(host: unknown, hosts: unknown): readonly string[] | undefined {
  const given: unknown[] = [];
  if (host !== undefined) given.push(host);
  if (hosts !== undefined) {
    if (!Array.isArray(hosts) || hosts.length === 0) {
      throw invalidOption('hosts', 'a non-empty array of local addresses', hosts);
    }
    given.push(...(hosts as unknown[]));
  }
  if (given.length === 0) return undefined;
  const local = new Set(
    Object.values(os.networkInterfaces()).flatMap((list) => (list ?? []).map((i) => i.address)),
  );
  const resolved = new Set<string>();
  for (const value of given) {
    const name = host !== undefined && value === host ? 'host' : 'hosts';
    if (value === 'localhost') {
      resolved.add('127.0.0.1');
      if (local.has('::1')) resolved.add('::1');
    } else if (typeof value === 'string' && (wildcards.has(value) || local.has(value))) {
      resolved.add(value);
    } else {
      throw invalidOption(
        name,
        '`localhost`, `0.0.0.0`, `::` or an address of this machine',
        value,
      );
    }
  }
  return [...resolved];
}

function probeOne(port: number, host: string): Promise<boolean | 'no-family'> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', (error: NodeJS.ErrnoException) => {
      server.close();
      if (error.code === 'EADDRINUSE' || error.code === 'EACCES') resolve(false);
      else if (error.code === 'EAFNOSUPPORT' || error.code === 'EADDRNOTAVAIL') {
        resolve('no-family');
      } else reject(error);
    });
    server.listen({ port, host, exclusive: true, ipv6Only: false }, () => {
      // close() releases the port synchronously; its callback only reports it.
      server.close();
      resolve(true);
    });
  });
}

/** True when a TCP server could bind `port` on every host of `hosts` now. */
export async function canBind(port: number, hosts: readonly string[]): Promise<boolean> {
  for (const host of hosts) {
    const result = await probeOne(port, host);
    if (result === 'no-family' && host === '::') {
      // No IPv6 on this machine: the IPv4 wildcard is all a server can use.
      ipv6 = false;
      if ((await probeOne(port, '0.0.0.0')) !== true) return false;
    } else if (result !== true) return false;
  }
  return true;
}
