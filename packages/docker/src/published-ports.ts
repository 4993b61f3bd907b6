// The host port a client reaches a published container port on, chosen from the engine's
// bindings. Docker 20.10 publishes a port given without a host port ("80", or "80/tcp" in a
// generated compose file) twice, on 0.0.0.0 and on ::, and picks each host port from its
// own per-address counter: once something has published on 0.0.0.0 only (rebind's
// startContainer on a remote engine does), the two picks differ (moby/moby#42442), and the
// IPv4 address at the IPv6 pick is free or another container's. So a port is read from the
// binding on the address family the client dials, never from whichever came last.
import { isIP } from 'node:net';
import type Docker from 'dockerode';

/** The address family a client dials `host` on: 6 for an IPv6 literal, else 4. */
function familyOf(host: string): 4 | 6 {
  return isIP(host.replace(/^\[|\]$/g, '')) === 6 ? 6 : 4;
}

/** How well a binding on `ip` serves a client dialing `host`: higher is better. */
function rank(ip: string | undefined, host: string): number {
  if (ip === undefined || ip === '') return 1;
  if (ip === host.replace(/^\[|\]$/g, '')) return 3;
  const family = isIP(ip);
  if (family === 0) return 1;
  return family === familyOf(host) ? 2 : 0;
}

/**
 * Container port -> the host port a client at `host` (an address or a name, dialed on IPv4)
 * reaches it on: the binding on exactly that address, else on its family (`0.0.0.0` for
 * IPv4), else any; tcp before udp; the engine's order among equals.
 */
export function publishedPorts(
  ports: readonly Docker.Port[],
  host: string,
  type?: string,
): Map<number, number> {
  const best = new Map<number, { port: number; score: number }>();
  for (const p of ports) {
    if (p.PublicPort === undefined || p.PublicPort === 0) continue;
    if (type !== undefined && p.Type !== type) continue;
    const score = rank(p.IP, host) * 2 + (p.Type === 'tcp' ? 1 : 0);
    const seen = best.get(p.PrivatePort);
    if (seen === undefined || score > seen.score)
      best.set(p.PrivatePort, { port: p.PublicPort, score });
  }
  return new Map([...best].map(([containerPort, { port }]) => [containerPort, port]));
}
