// The addresses the allocator probes and reports: the `host`/`hosts` options checked
// against this machine's addresses, and the wildcards by default. The probe itself is
// probe.ts's canBind (never a connect probe: that leaves TIME_WAIT behind and may be
// answered by a server about to go).
import os from 'node:os';
import { hasIpv6 } from '../net/probe.js';
import { invalidOption } from '../validate.js';

/** The addresses probed by default: the dual-stack wildcard, which conflicts with any IPv4 or IPv6 listener. */
export function defaultProbeHosts(): readonly string[] {
  return hasIpv6() ? ['::'] : ['0.0.0.0'];
}

/** The families' wildcards, reported as a default lease's `hosts`. */
export function defaultLeaseHosts(): readonly string[] {
  return hasIpv6() ? ['0.0.0.0', '::'] : ['0.0.0.0'];
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
