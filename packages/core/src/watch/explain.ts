import { isIPv4 } from 'node:net';
import type { PlatformFacts } from './platform/backend.js';
import type { Bindable, PortOwner, PortSocket, PortVerdict } from './port-report.js';

/** Probe results that mean "this family is not there", not "the port is taken". */
const absent = new Set(['EAFNOSUPPORT', 'EPROTONOSUPPORT']);

/** True when `socket` stands in the way of a server binding `host` (undefined: wildcards). */
export function conflicts(socket: PortSocket, host?: string): boolean {
  if (host === undefined) return true;
  const local = socket.localAddress;
  if (isIPv4(host)) {
    if (socket.family === 4) return host === '0.0.0.0' || local === '0.0.0.0' || local === host;
    return (
      local === '::' ||
      local === `::ffff:${host}` ||
      (host === '0.0.0.0' && local.startsWith('::ffff:'))
    );
  }
  if (socket.family === 4) return host === '::'; // a [::] server is dual-stack by default
  return host === '::' || local === '::' || local === host;
}

/** "pid 812 (python3 -m http.server 41234)", a container, or an unknown uid. */
export function describeOwner(owner: PortOwner): string {
  if (!owner.known) {
    return `a process of uid ${owner.uid} (${owner.user}) that rebind is not permitted to see (owner unknown)`;
  }
  if (owner.container) {
    const c = owner.container;
    return `container ${c.name} (${c.id}, image ${c.image}) through docker-proxy pid ${owner.pid}`;
  }
  if (owner.proxy) {
    return `a container at ${owner.proxy.containerIp}:${owner.proxy.containerPort} through docker-proxy pid ${owner.pid} (${oneLine(owner.commandLine ?? '')})`;
  }
  return `pid ${owner.pid} (${oneLine(owner.commandLine ?? owner.command ?? '')})`;
}

/** A command line on one line and at most 200 characters, for messages. */
export function oneLine(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > 200 ? `${flat.slice(0, 199)}…` : flat;
}

/** The owner of `socket`: by pid, else the unknown owner of its uid. */
export function ownerOf(socket: PortSocket, owners: readonly PortOwner[]): PortOwner | undefined {
  if (socket.pid !== undefined) return owners.find((o) => o.pid === socket.pid);
  if (socket.inode) return owners.find((o) => !o.known && o.uid === socket.uid);
  return undefined;
}

export function endpoint(address: string, port: number): string {
  return address.includes(':') ? `[${address}]:${port}` : `${address}:${port}`;
}

/** `reuseAddr` from the probes, `plain` from it plus the socket table. */
export function bindableFrom(
  probes: Bindable['probes'],
  sockets: readonly PortSocket[],
  host?: string,
): Bindable {
  const reuseAddr = probes.every((p) => p.result === 'ok' || absent.has(p.result));
  const plain = reuseAddr && !sockets.some((s) => conflicts(s, host));
  return { plain, reuseAddr, probes };
}

export interface Judgement {
  readonly verdict: PortVerdict;
  readonly explanation: string;
}

const autoFix = "or let rebind choose a port (port: 'auto')";

function holders(sockets: readonly PortSocket[], owners: readonly PortOwner[]): string {
  const names = [
    ...new Set(
      sockets.map((s) => {
        const o = ownerOf(s, owners);
        return o ? describeOwner(o) : 'a process rebind could not name';
      }),
    ),
  ];
  return names.join(' and ');
}

/** The verdict and its one-paragraph explanation (cause, holder, fix). */
export function judge(
  port: number,
  sockets: readonly PortSocket[],
  owners: readonly PortOwner[],
  bindable: Bindable,
  facts: PlatformFacts,
  host?: string,
): Judgement {
  const relevant = sockets.filter((s) => conflicts(s, host));
  const listeners = relevant.filter((s) => s.state === 'LISTEN');
  if (listeners.length > 0) {
    const where = [...new Set(listeners.map((s) => endpoint(s.localAddress, port)))].join(', ');
    const who = holders(listeners, owners);
    const dual =
      listeners.every((s) => s.family === 6 && s.v6Only !== true) &&
      bindable.probes.some((p) => p.address === '0.0.0.0' && p.result === 'EADDRINUSE')
        ? ` The [::] listener is dual-stack, so it also blocks 0.0.0.0:${port}.`
        : '';
    const container = listeners.map((s) => ownerOf(s, owners)).find((o) => o?.container);
    const fix = container?.container
      ? `Remove the container if it is yours (docker rm -f ${container.container.name}), publish another host port, ${autoFix}.`
      : `If that process is yours, stop it and wait for the port (waitForPort(${port}, { until: 'free' })); otherwise choose another port, ${autoFix}.`;
    return {
      verdict: 'listening',
      explanation: `Port ${port} is in use: ${who} listens on ${where}.${dual} ${fix}`,
    };
  }
  if (bindable.plain) {
    return {
      verdict: 'free',
      explanation: `Port ${port} is free: no TCP socket uses it, and a server can bind it with or without SO_REUSEADDR.`,
    };
  }
  if (bindable.reuseAddr) {
    const states = summarise(relevant);
    return {
      verdict: 'time-wait',
      explanation: `Port ${port} has no listener, but ${states} ${relevant.length === 1 ? 'remains' : 'remain'} on it. A server that sets SO_REUSEADDR (Node, nginx, Go, Java) can bind it now; one that does not (Python's socketserver, raw sockets) fails until they are gone (TIME_WAIT lasts 60 s on Linux). Set SO_REUSEADDR in that server (Python: allow_reuse_address = True), or wait.`,
    };
  }
  const failed = bindable.probes.find((p) => p.result !== 'ok' && !absent.has(p.result));
  if (failed?.result === 'EACCES') {
    return {
      verdict: 'busy',
      explanation: `Port ${port} needs privilege: ports below ${facts.unprivilegedPortStart} can be bound only by root or with CAP_NET_BIND_SERVICE, and this process has neither. Use a port from ${facts.unprivilegedPortStart} up, ${autoFix}, or grant the capability (setcap cap_net_bind_service=+ep <binary>).`,
    };
  }
  if (failed?.result === 'EADDRNOTAVAIL') {
    return {
      verdict: 'busy',
      explanation: `${failed.address} is not an address of this machine, so nothing can bind ${endpoint(failed.address, port)}. Use a local address (127.0.0.1, ::1 or 0.0.0.0).`,
    };
  }
  const outgoing = relevant.filter((s) => s.remotePort !== 0 && s.state !== 'TIME_WAIT');
  if (outgoing.length > 0) {
    const first = outgoing[0] as PortSocket;
    const range = facts.ephemeralRange;
    const inside =
      range && port >= range[0] && port <= range[1]
        ? ` Port ${port} lies inside the ephemeral range ${range[0]}-${range[1]}, from which the kernel picks the local ports of outgoing connections; use server ports below ${range[0]} (rebind's allocator does), ${autoFix}.`
        : ` Wait for that connection to close, ${autoFix}.`;
    return {
      verdict: 'busy',
      explanation: `Port ${port} is the local port of a connection of ${holders(outgoing, owners)} to ${endpoint(first.remoteAddress, first.remotePort)} (${first.state}), which did not set SO_REUSEADDR, so no server can bind it.${inside}`,
    };
  }
  return {
    verdict: 'busy',
    explanation: `Port ${port} cannot be bound (${failed ? `${failed.result} on ${failed.address}` : 'bind failed'}), yet no listener is listed: a socket is bound to it without listening, which shows in no socket table (only a bind probe finds it). Find the process with \`lsof -nP -iTCP:${port}\` and stop it if it is yours, ${autoFix}.`,
  };
}

function summarise(sockets: readonly PortSocket[]): string {
  const counts = new Map<string, number>();
  for (const s of sockets) counts.set(s.state, (counts.get(s.state) ?? 0) + 1);
  return [...counts].map(([state, n]) => `${n} socket${n === 1 ? '' : 's'} in ${state}`).join(', ');
}
