import { readFileSync } from 'node:fs';
import { endianness } from 'node:os';
import { formatIpv6Groups } from '../net/ip-address.js';
import type { PortSocket, TcpState } from '../watch/port-report.js';

/** `/proc/net/tcp` state codes (include/net/tcp_states.h); NEW_SYN_RECV shows as SYN_RECV. */
const stateCodes: Record<string, TcpState> = {
  '01': 'ESTABLISHED',
  '02': 'SYN_SENT',
  '03': 'SYN_RECV',
  '04': 'FIN_WAIT1',
  '05': 'FIN_WAIT2',
  '06': 'TIME_WAIT',
  '07': 'CLOSE',
  '08': 'CLOSE_WAIT',
  '09': 'LAST_ACK',
  '0A': 'LISTEN',
  '0B': 'CLOSING',
  '0C': 'SYN_RECV',
};

type ByteOrder = 'LE' | 'BE';

/** One 32-bit word printed `%08X` from host memory, back to its four address bytes. */
function wordBytes(hex: string, order: ByteOrder): number[] {
  const value = parseInt(hex, 16);
  const bytes = [value >>> 24, (value >>> 16) & 255, (value >>> 8) & 255, value & 255];
  return order === 'LE' ? bytes.reverse() : bytes;
}

/** Decodes the hex address of `/proc/net/tcp` (8 digits) or `tcp6` (32) to canonical text. */
export function decodeProcAddress(hex: string, order: ByteOrder = endianness()): string {
  if (hex.length === 8) return wordBytes(hex, order).join('.');
  const bytes: number[] = [];
  for (let i = 0; i < 32; i += 8) bytes.push(...wordBytes(hex.slice(i, i + 8), order));
  const groups: number[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(((bytes[i] ?? 0) << 8) | (bytes[i + 1] ?? 0));
  return formatIpv6Groups(groups);
}

/** One data row of a /proc/net/{tcp,tcp6,udp} table, its leading fields still in hex. */
export interface ProcNetRow {
  readonly line: string;
  /** The local address (8 or 32 hex digits). */
  readonly local: string;
  readonly port: number;
  /** `ADDRESS:PORT` in hex. */
  readonly remote: string;
  /** The state code: `0A` is LISTEN, `06` TIME_WAIT. */
  readonly state: string;
}

/**
 * The data rows of a /proc/net table (the header line skipped), their fields found with
 * indexOf rather than a split: the tables hold thousands of rows under load.
 * "%4d: %08X:%04X %08X:%04X %02X ...".
 */
export function* procNetRows(text: string): Generator<ProcNetRow> {
  let lineStart = text.indexOf('\n') + 1;
  while (lineStart > 0 && lineStart < text.length) {
    const lineEnd = text.indexOf('\n', lineStart);
    const line = text.slice(lineStart, lineEnd < 0 ? text.length : lineEnd);
    lineStart = lineEnd + 1;
    const start = line.indexOf(': ') + 2;
    if (start < 2) continue;
    const localEnd = line.indexOf(' ', start);
    const remoteEnd = line.indexOf(' ', localEnd + 1);
    if (localEnd < 0 || remoteEnd < 0) continue;
    const port = parseInt(line.slice(localEnd - 4, localEnd), 16);
    if (!Number.isInteger(port)) continue;
    yield {
      line,
      local: line.slice(start, localEnd - 5),
      port,
      remote: line.slice(localEnd + 1, remoteEnd),
      state: line.slice(remoteEnd + 1, remoteEnd + 3),
    };
  }
}

/**
 * Parses the text of `/proc/net/tcp` (family 4) or `/proc/net/tcp6` (family 6). With `port`,
 * keeps only sockets whose local port is `port` (checked before decoding, so it is cheap).
 */
export function parseProcNetTcp(
  text: string,
  family: 4 | 6,
  port?: number,
  order: ByteOrder = endianness(),
): PortSocket[] {
  const sockets: PortSocket[] = [];
  const addressLength = family === 4 ? 8 : 32;
  for (const row of procNetRows(text)) {
    if (port !== undefined && row.port !== port) continue;
    const state = stateCodes[row.state.toUpperCase()];
    if (state === undefined || row.local.length !== addressLength) continue;
    // sl local rem st tx:rx tr:when retrnsmt uid timeout inode ...
    const [, , , , , , , uid = '', , inode = ''] = row.line.trim().split(/\s+/);
    sockets.push({
      family,
      localAddress: decodeProcAddress(row.local, order),
      localPort: row.port,
      remoteAddress: decodeProcAddress(row.remote.slice(0, addressLength), order),
      remotePort: parseInt(row.remote.slice(addressLength + 1), 16),
      state,
      uid: Number(uid),
      inode: Number(inode),
    });
  }
  return sockets;
}

/**
 * LISTEN sockets on `port` from the `tcp` and `tcp6` tables under `netDir`: `/proc/net`
 * (this network namespace) or `/proc/<pid>/net` (the namespace of `pid`, e.g. a
 * container's init). `undefined` when neither table can be read.
 */
export function readListeners(port: number, netDir = '/proc/net'): PortSocket[] | undefined {
  let readable = false;
  const listeners: PortSocket[] = [];
  for (const family of [4, 6] as const) {
    let text: string;
    try {
      text = readFileSync(`${netDir}/${family === 4 ? 'tcp' : 'tcp6'}`, 'utf8');
    } catch {
      continue;
    }
    readable = true;
    for (const socket of parseProcNetTcp(text, family, port)) {
      if (socket.state === 'LISTEN') listeners.push(socket);
    }
  }
  return readable ? listeners : undefined;
}
