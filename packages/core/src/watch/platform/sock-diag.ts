// The TCP sockets on one port from the kernel's sock_diag netlink interface, through one
// long-lived Perl helper (see sock-diag-script.ts): ~1 ms a query instead of ~4-6 ms for
// spawning `ss`. The helper is started on first use, never keeps this process alive, and is
// ended after IDLE_MS without a query, at exit, or when this process dies (EOF on its stdin).
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';

type Helper = ChildProcessByStdio<Writable, Readable, null>;
import { createLogger } from '../../logger.js';
import { canonicalAddress } from '../../net/ip-address.js';
import { tcpStates, type PortSocket, type TcpState } from '../port-report.js';
import { sockDiagScript } from './sock-diag-script.js';

const log = createLogger('sock-diag');

/** The helper ends after this long without a query. */
const IDLE_MS = 5000;

interface Pending {
  readonly resolve: (sockets: PortSocket[] | undefined) => void;
  readonly port: number;
  readonly lines: string[];
}

let helper: Helper | undefined;
/** Set once the helper cannot run here (no perl, no netlink): callers fall back for good. */
let unavailable = false;
let nextId = 0;
const pending = new Map<number, Pending>();
let idle: NodeJS.Timeout | undefined;
let partial = '';

function hex4(hex: string): string {
  return [0, 2, 4, 6].map((i) => parseInt(hex.slice(i, i + 2), 16)).join('.');
}

function hex6(hex: string): string {
  const groups = [];
  for (let i = 0; i < 32; i += 4) groups.push(hex.slice(i, i + 4));
  return canonicalAddress(groups.join(':'), 6);
}

/** One `S ...` line of the helper's answer as a PortSocket (undefined if malformed). */
export function parseSockDiagLine(line: string): PortSocket | undefined {
  const [tag, fam, state, sport, dport, src, dst, uid, inode, v6only] = line.split(' ');
  if (tag !== 'S' || v6only === undefined) return undefined;
  const family = fam === '4' ? 4 : 6;
  const address = family === 4 ? hex4 : hex6;
  // Kernel numbering: TCP_ESTABLISHED = 1 ... TCP_CLOSING = 11; TCP_NEW_SYN_RECV (12), a
  // request socket, is what ss shows as SYN-RECV.
  const n = Number(state);
  const name: TcpState | undefined = n === 12 ? 'SYN_RECV' : tcpStates[n - 1];
  if (name === undefined) return undefined;
  return {
    family,
    localAddress: address(src ?? ''),
    localPort: Number(sport),
    remoteAddress: address(dst ?? ''),
    remotePort: Number(dport),
    state: name,
    uid: Number(uid),
    inode: Number(inode),
    ...(family === 6 && v6only !== '-1' ? { v6Only: v6only === '1' } : {}),
  };
}

/** Pending queries get no answer: their callers fall back to ss or /proc. */
function dropPending(): void {
  for (const [, p] of pending) p.resolve(undefined);
  pending.clear();
}

function stopHelper(): void {
  const child = helper;
  helper = undefined;
  partial = '';
  if (idle !== undefined) clearTimeout(idle);
  idle = undefined;
  dropPending();
  if (child !== undefined && child.exitCode === null) child.stdin.end(); // it exits at EOF
}

function onLine(line: string): void {
  const kind = line[0];
  if (kind === 'S') {
    const first = pending.values().next().value as Pending | undefined;
    first?.lines.push(line);
    return;
  }
  const [, idText, ...rest] = line.split(' ');
  if (kind === 'X') {
    log('helper cannot open a sock_diag socket: %s', line.slice(2));
    unavailable = true;
    stopHelper();
    return;
  }
  const id = Number(idText);
  const query = pending.get(id);
  if (query === undefined) return;
  pending.delete(id);
  if (kind === 'E') {
    const sockets: PortSocket[] = [];
    for (const l of query.lines) {
      const socket = parseSockDiagLine(l);
      if (socket !== undefined && socket.localPort === query.port) sockets.push(socket);
    }
    query.resolve(sockets);
  } else {
    log('query %d failed: %s', id, rest.join(' '));
    query.resolve(undefined);
  }
  if (pending.size === 0) refHelper(false);
}

/** While queries are pending the helper's pipes keep this process alive; otherwise not. */
function refHelper(on: boolean): void {
  const child = helper;
  if (child === undefined) return;
  for (const stream of [child.stdout, child.stdin] as unknown as { ref?(): void; unref?(): void }[])
    if (on) stream.ref?.();
    else stream.unref?.();
  if (on) child.ref();
  else child.unref();
}

function startHelper(): Helper | undefined {
  let child: Helper;
  try {
    child = spawn('perl', ['-e', sockDiagScript], { stdio: ['pipe', 'pipe', 'ignore'] });
  } catch (error) {
    log('cannot start perl: %s', (error as Error).message);
    unavailable = true;
    return undefined;
  }
  child.once('error', (error) => {
    log('helper error: %s', error.message);
    unavailable = true;
    if (helper === child) stopHelper();
  });
  child.once('exit', (code) => {
    if (helper !== child) return;
    log('helper exited (%s)', code);
    // It died under a query (a crash, a killed perl): not started again in this process.
    if (pending.size > 0) unavailable = true;
    helper = undefined;
    partial = '';
    dropPending();
  });
  child.stdin.on('error', () => undefined); // EPIPE when it has exited: the 'exit' handler settles
  child.stdout.setEncoding('latin1');
  child.stdout.on('data', (chunk: string) => {
    const text = partial + chunk;
    const lines = text.split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) onLine(line);
  });
  return child;
}

/**
 * The TCP sockets whose local port is `port`, IPv4 and IPv6, from sock_diag; undefined when
 * the helper cannot run here (no perl, netlink refused) or a query failed: the caller
 * falls back to `ss` or /proc.
 */
export function sockDiagSockets(port: number): Promise<PortSocket[] | undefined> {
  if (unavailable) return Promise.resolve(undefined);
  helper ??= startHelper();
  const child = helper;
  if (child === undefined) return Promise.resolve(undefined);
  if (idle !== undefined) clearTimeout(idle);
  idle = setTimeout(stopHelper, IDLE_MS);
  idle.unref();
  const id = ++nextId;
  return new Promise((resolve) => {
    pending.set(id, { resolve, port, lines: [] });
    refHelper(true);
    child.stdin.write(`${id} ${port}\n`);
  });
}

/** Ends the helper now (it would end by itself when idle). */
export function stopSockDiag(): void {
  stopHelper();
}
