// Every private Node API rebind relies on, in one place. Each has a fallback where the
// API is missing, so a Node upgrade that removes one would quietly make rebind slower or
// less exact: node-internals.test.ts checks each one on the running Node and fails loudly.
//
// - process.binding('tcp_wrap'): libuv's TCP handle, to bind a socket WITHOUT listening
//   (net/probe.ts's bind probe; net.Server.listen() always listens).
// - net.Server#_handle.fd: the fd of a listening socket, to hand it to a child (allocate/
//   port-lease.ts, restart/hold-socket.ts's worker).
// - process._getActiveHandles(): this process's own listening servers (watch/
//   wait-for-port.ts, to close probes of them gracefully).
import type { Server } from 'node:net';

export interface TcpHandle {
  bind(address: string, port: number): number;
  bind6(address: string, port: number, flags: number): number;
  getsockname(out: Record<string, unknown>): number;
  close(): void;
}
export type TcpConstructor = new (type: number) => TcpHandle;
export interface TcpWrap {
  readonly TCP: TcpConstructor;
  /** `TCPConstants.SOCKET`: a plain socket handle (not a server). */
  readonly socketType: number;
}

let tcpWrap: TcpWrap | null | undefined;

/**
 * libuv's TCP handle constructor (`process.binding('tcp_wrap')`), or null where it is
 * missing, or where reading it would print DEP0111 (`--pending-deprecation`).
 */
export function tcpWrapBinding(): TcpWrap | null {
  if (tcpWrap !== undefined) return tcpWrap;
  tcpWrap = null;
  // process.binding is documentation-deprecated (DEP0111) and warns only with
  // --pending-deprecation: then callers use their fallback rather than print a warning.
  const pending =
    process.execArgv.includes('--pending-deprecation') ||
    /--pending-deprecation/.test(process.env.NODE_OPTIONS ?? '') ||
    process.env.NODE_PENDING_DEPRECATION === '1';
  if (pending) return tcpWrap;
  try {
    const binding = (process as unknown as { binding(name: string): unknown }).binding(
      'tcp_wrap',
    ) as { TCP?: TcpConstructor; constants?: { SOCKET?: number } };
    if (typeof binding.TCP === 'function' && typeof binding.constants?.SOCKET === 'number')
      tcpWrap = { TCP: binding.TCP, socketType: binding.constants.SOCKET };
  } catch {
    tcpWrap = null;
  }
  return tcpWrap;
}

/**
 * The fd of a listening net.Server (`server._handle.fd`); -1 where it has none (Windows,
 * or a Node without it). Self-contained: restart/hold-socket.ts embeds its source in a
 * worker thread.
 */
export function serverFd(server: Server): number {
  const handle = (server as unknown as { _handle?: { fd?: unknown } | null })._handle;
  return typeof handle?.fd === 'number' ? handle.fd : -1;
}

/** This process's active libuv handles (`process._getActiveHandles()`); [] without it. */
export function activeHandles(): unknown[] {
  const get = (process as unknown as { _getActiveHandles?: () => unknown[] })._getActiveHandles;
  return typeof get === 'function' ? get.call(process) : [];
}
