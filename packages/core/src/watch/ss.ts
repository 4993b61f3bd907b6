import { canonicalAddress } from '../net/ip-address.js';
import type { PortSocket, TcpState } from './port-report.js';

const ssStates: Record<string, TcpState> = {
  ESTAB: 'ESTABLISHED',
  'SYN-SENT': 'SYN_SENT',
  'SYN-RECV': 'SYN_RECV',
  'FIN-WAIT-1': 'FIN_WAIT1',
  'FIN-WAIT-2': 'FIN_WAIT2',
  'TIME-WAIT': 'TIME_WAIT',
  UNCONN: 'CLOSE',
  CLOSE: 'CLOSE',
  'CLOSE-WAIT': 'CLOSE_WAIT',
  'LAST-ACK': 'LAST_ACK',
  LISTEN: 'LISTEN',
  CLOSING: 'CLOSING',
};

/** `127.0.0.1:80`, `[::1]:80`, `[::ffff:127.0.0.1]:80`, `*:80` (dual-stack), `10.0.0.1%eth0:80`. */
function splitSsEndpoint(text: string): { family: 4 | 6; address: string; port: number } {
  const colon = text.lastIndexOf(':');
  let address = text.slice(0, colon);
  const port = text.slice(colon + 1);
  const zone = address.indexOf('%');
  if (zone >= 0) address = address.slice(0, zone) + (address.startsWith('[') ? ']' : '');
  const family: 4 | 6 = address === '*' || address.startsWith('[') ? 6 : 4;
  return {
    family,
    address: canonicalAddress(address.replace(/^\[|\]$/g, ''), family),
    port: port === '*' ? 0 : Number(port),
  };
}

/**
 * Parses `ss -tane` (with or without `-H`, `-p`): state, addresses, and from the extended
 * fields `ino:`, `uid:` (printed only when not 0) and `v6only:`. ss shows the dual-stack
 * wildcard as `*`; it is reported as `::` with `v6Only: false`.
 */
export function parseSs(text: string, port?: number): (PortSocket & { v6Only?: boolean })[] {
  const sockets: (PortSocket & { v6Only?: boolean })[] = [];
  for (const line of text.split('\n')) {
    const fields = line.trim().split(/\s+/);
    const state = ssStates[fields[0] ?? ''];
    if (state === undefined || fields.length < 5) continue;
    const local = splitSsEndpoint(fields[3] ?? '');
    if (port !== undefined && local.port !== port) continue;
    const remote = splitSsEndpoint(fields[4] ?? '');
    const extra = (name: string) => {
      const field = fields.find((f) => f.startsWith(`${name}:`));
      return field === undefined ? undefined : Number(field.slice(name.length + 1));
    };
    const v6only = extra('v6only');
    sockets.push({
      family: local.family,
      localAddress: local.address,
      localPort: local.port,
      remoteAddress:
        remote.family === local.family ? remote.address : canonicalAddress('*', local.family),
      remotePort: remote.port,
      state,
      uid: extra('uid') ?? 0,
      inode: extra('ino') ?? 0,
      ...(v6only === undefined ? {} : { v6Only: v6only === 1 }),
    });
  }
  return sockets;
}
