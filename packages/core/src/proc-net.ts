import { readFileSync } from 'node:fs';
import { endianness } from 'node:os';
import { formatIpv6Groups } from './ip-address.js';
import type { PortSocket, TcpState } from './port-report.js';

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
  const portHex = port === undefined ? undefined : port.toString(16).toUpperCase().padStart(4, '0');
  const addressLength = family === 4 ? 8 : 32;
  for (const line of text.split('\n')) {
    // "%4d: %08X:%04X ...": check the local port before splitting the line (cheap at 5,000 rows)
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    const portAt = line.indexOf(':', colon + 1) + 1;
    if (portHex !== undefined && line.slice(portAt, portAt + 4) !== portHex) continue;
    const fields = line.trim().split(/\s+/);
    // sl local rem st tx:rx tr:when retrnsmt uid timeout inode ...
    if (fields.length < 10 || !/^\d+:$/.test(fields[0] ?? '')) continue;
    const [, local = '', remote = '', st = '', , , , uid = '', , inode = ''] = fields;
    const localPortHex = local.slice(addressLength + 1);
    if (portHex !== undefined && localPortHex !== portHex) continue;
    const state = stateCodes[st.toUpperCase()];
    if (state === undefined) continue;
    sockets.push({
      family,
      localAddress: decodeProcAddress(local.slice(0, addressLength), order),
      localPort: parseInt(localPortHex, 16),
      remoteAddress: decodeProcAddress(remote.slice(0, addressLength), order),
      remotePort: parseInt(remote.slice(addressLength + 1), 16),
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
