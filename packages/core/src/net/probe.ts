import { execFile } from 'node:child_process';
import { getSystemErrorName } from 'node:util';
import { isIPv6 as isV6 } from 'node:net';
import net from 'node:net';

// A bind probe must never put the port in LISTEN, even briefly: a server binding at that
// instant would fail (nginx then retries only 500 ms later). net.Server.listen() always
// listens, so the probe uses libuv's TCP handle directly: socket(), SO_REUSEADDR (libuv
// always sets it), bind(), close(). libuv defers EADDRINUSE from bind() to the next call,
// so getsockname() reports it. A bound, non-listening SO_REUSEADDR socket blocks no server
// that also sets SO_REUSEADDR.
interface TcpHandle {
  bind(address: string, port: number): number;
  bind6(address: string, port: number, flags: number): number;
  getsockname(out: Record<string, unknown>): number;
  close(): void;
}
type TcpConstructor = new (type: number) => TcpHandle;

let tcpWrap: { TCP: TcpConstructor; socketType: number } | null | undefined;
const UV_TCP_IPV6ONLY = 1;

function loadTcpWrap() {
  if (tcpWrap !== undefined) return tcpWrap;
  tcpWrap = null;
  // process.binding is documentation-deprecated (DEP0111) and warns only with
  // --pending-deprecation: then use the listen() fallback rather than print a warning.
  const pending =
    process.execArgv.includes('--pending-deprecation') ||
    /--pending-deprecation/.test(process.env.NODE_OPTIONS ?? '') ||
    process.env.NODE_PENDING_DEPRECATION === '1';
  if (pending) return tcpWrap;
  try {
    const binding = (process as unknown as { binding(name: string): unknown }).binding(
      'tcp_wrap',
    ) as { TCP: TcpConstructor; constants: { SOCKET: number } };
    tcpWrap = { TCP: binding.TCP, socketType: binding.constants.SOCKET };
  } catch {
    tcpWrap = null;
  }
  return tcpWrap;
}

/** `'ok'` or the errno name (`EADDRINUSE`, `EACCES`, `EADDRNOTAVAIL`...). */
export type ProbeResult = string;

/**
 * Synchronous SO_REUSEADDR bind probe of `address:port` that never listens. `undefined`
 * when this Node cannot bind without listening (then use {@link bindProbe}).
 * For `::`, `ipv6Only` (default true) probes the IPv6 wildcard alone.
 */
export function bindProbeSync(
  address: string,
  port: number,
  ipv6Only = true,
): ProbeResult | undefined {
  const wrap = loadTcpWrap();
  if (wrap === null) return undefined;
  const handle = new wrap.TCP(wrap.socketType);
  try {
    const error = isV6(address)
      ? handle.bind6(address, port, ipv6Only ? UV_TCP_IPV6ONLY : 0)
      : handle.bind(address, port);
    const deferred = error === 0 ? handle.getsockname({}) : error;
    return deferred === 0 ? 'ok' : getSystemErrorName(deferred);
  } finally {
    handle.close();
  }
}

/**
 * SO_REUSEADDR bind probe. Falls back to listen() + close() (exclusive) when Node offers no
 * way to bind without listening: that fallback holds LISTEN for a moment.
 */
export async function bindProbe(
  address: string,
  port: number,
  ipv6Only = true,
): Promise<ProbeResult> {
  return bindProbeSync(address, port, ipv6Only) ?? listenProbe(address, port, ipv6Only);
}

/**
 * listen() + close() probe (exclusive, SO_REUSEADDR as libuv sets it): `'ok'` or the errno
 * name. It holds LISTEN for a moment, so only for ports no server is starting on: the
 * allocator's candidates, and {@link bindProbe}'s fallback. close() releases the port
 * synchronously; its callback only reports it.
 */
export function listenProbe(address: string, port: number, ipv6Only = true): Promise<ProbeResult> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', (error: NodeJS.ErrnoException) => {
      server.close();
      resolve(error.code ?? 'EUNKNOWN');
    });
    server.listen({ port, host: address, exclusive: true, ipv6Only }, () => {
      server.close();
      resolve('ok');
    });
  });
}

let ipv6 = true;

/** False once a probe found no IPv6 on this machine. */
export function hasIpv6(): boolean {
  return ipv6;
}

/**
 * True when a TCP server could bind and listen on `port` on every host of `hosts` now (the
 * allocator's test, by {@link listenProbe}; `::` is probed dual-stack). Without IPv6 on
 * this machine, `::` stands for the IPv4 wildcard.
 */
export async function canBind(port: number, hosts: readonly string[]): Promise<boolean> {
  return (await canBindWhy(port, hosts)) === 'ok';
}

/** {@link canBind}, saying why not: another socket (EADDRINUSE) or no privilege (EACCES). */
export async function canBindWhy(
  port: number,
  hosts: readonly string[],
): Promise<'ok' | 'EADDRINUSE' | 'EACCES'> {
  for (const host of hosts) {
    const result = await listenProbe(host, port, false);
    if ((result === 'EAFNOSUPPORT' || result === 'EADDRNOTAVAIL') && host === '::') {
      ipv6 = false;
      const v4 = await listenProbe('0.0.0.0', port, false);
      if (v4 !== 'ok') return v4 === 'EACCES' ? 'EACCES' : 'EADDRINUSE';
    } else if (result === 'EADDRINUSE' || result === 'EACCES') return result;
    else if (result !== 'ok') {
      throw new Error(`Probing ${host}:${port} failed with ${result}`);
    }
  }
  return 'ok';
}

/**
 * Connect probe: true when something accepts a connection on `host:port`. A refused probe
 * leaves nothing behind. An accepted one is closed with a FIN by default: the TIME_WAIT
 * then sits on the probe's own ephemeral port, never on `port`, and the server sees a
 * clean end. `close: 'reset'` sends RST instead (no TIME_WAIT at all), but a Node server
 * whose accepted sockets have no 'error' listener throws ECONNRESET on it.
 */
export function connectProbe(
  host: string,
  port: number,
  timeoutMs = 1000,
  close: 'graceful' | 'reset' = 'graceful',
): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port, family: isV6(host) ? 6 : 4 });
    const timer = setTimeout(() => finish(false), timeoutMs);
    timer.unref?.();
    function finish(result: boolean) {
      clearTimeout(timer);
      socket.removeAllListeners('connect');
      socket.on('error', () => {});
      if (result && close === 'reset') socket.resetAndDestroy();
      else if (result) socket.end();
      else socket.destroy();
      resolve(result);
    }
    socket.once('connect', () => finish(true));
    socket.once('error', () => finish(false));
  });
}

/**
 * Whether the listener on `address:port` set SO_REUSEPORT: a probe socket that sets it
 * (perl; Node 20 cannot) binds without listening only if the listener set it too, as the
 * same user. Undefined when perl is missing or the probe fails for another reason.
 */
export function reusePortProbe(address: string, port: number): Promise<boolean | undefined> {
  const script = [
    'use strict;',
    'use Socket qw(:DEFAULT inet_pton);',
    'my ($a, $p) = @ARGV;',
    'my $v6 = $a =~ /:/;',
    'socket(my $s, $v6 ? AF_INET6 : AF_INET, SOCK_STREAM, 0) or die "$!";',
    'setsockopt($s, SOL_SOCKET, SO_REUSEADDR, 1) or die "$!";',
    'setsockopt($s, SOL_SOCKET, SO_REUSEPORT, 1) or die "$!";',
    'my $to = $v6 ? pack_sockaddr_in6($p, inet_pton(AF_INET6, $a)) : pack_sockaddr_in($p, inet_aton($a));',
    'print bind($s, $to) ? "ok\\n" : ($! + 0) . "\\n";',
  ].join('\n');
  return new Promise((resolve) => {
    execFile('perl', ['-e', script, address, String(port)], { timeout: 5000 }, (error, stdout) => {
      if (error) return resolve(undefined);
      const out = stdout.trim();
      resolve(out === 'ok' ? true : out === '98' ? false : undefined);
    });
  });
}
