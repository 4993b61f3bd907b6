import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { decodeProcAddress, parseProcNetTcp } from './proc-net.js';

const recorded = (name: string) =>
  readFileSync(new URL(`../../fixtures/recorded/${name}`, import.meta.url), 'utf8');
const staged = JSON.parse(recorded('linux-staged.json')) as Record<string, { port: number }>;
const port = (label: string) => staged[label]?.port ?? 0;
const tcp = parseProcNetTcp(recorded('linux-proc-net-tcp.txt'), 4, undefined, 'LE');
const tcp6 = parseProcNetTcp(recorded('linux-proc-net-tcp6.txt'), 6, undefined, 'LE');
const statesOn = (sockets: typeof tcp, p: number) =>
  [...new Set(sockets.filter((s) => s.localPort === p).map((s) => s.state))].sort();

describe('decodeProcAddress', () => {
  it('decodes host-order words (little endian)', () => {
    expect(decodeProcAddress('0100007F', 'LE')).toBe('127.0.0.1');
    expect(decodeProcAddress('00000000000000000000000001000000', 'LE')).toBe('::1');
    expect(decodeProcAddress('0000000000000000FFFF00000100007F', 'LE')).toBe('::ffff:127.0.0.1');
    expect(decodeProcAddress('B80D0120000000000000000001000000', 'LE')).toBe('2001:db8::1');
    expect(decodeProcAddress('00000000000000000000000000000000', 'LE')).toBe('::');
  });

  it('decodes big-endian hosts too', () => {
    expect(decodeProcAddress('7F000001', 'BE')).toBe('127.0.0.1');
    expect(decodeProcAddress('20010DB8000000000000000000000001', 'BE')).toBe('2001:db8::1');
  });
});

describe('parseProcNetTcp on recorded /proc/net/tcp{,6}', () => {
  it('reads the IPv4 listener, its connections, TIME_WAIT with inode 0', () => {
    const p = port('ipv4');
    expect(statesOn(tcp, p)).toEqual(['CLOSE_WAIT', 'ESTABLISHED', 'LISTEN', 'TIME_WAIT']);
    const listener = tcp.find((s) => s.localPort === p && s.state === 'LISTEN');
    expect(listener).toMatchObject({
      family: 4,
      localAddress: '127.0.0.1',
      remoteAddress: '0.0.0.0',
      remotePort: 0,
      uid: 0,
    });
    expect(listener?.inode).toBeGreaterThan(0);
    expect(tcp.find((s) => s.localPort === p && s.state === 'TIME_WAIT')?.inode).toBe(0);
    // the client side of the half-closed connection
    expect(tcp.some((s) => s.remotePort === p && s.state === 'FIN_WAIT2')).toBe(true);
  });

  it('reads IPv6 loopback and IPv4-mapped addresses of a dual-stack listener', () => {
    const p6 = port('ipv6');
    expect(statesOn(tcp6, p6)).toEqual(['CLOSE_WAIT', 'ESTABLISHED', 'LISTEN', 'TIME_WAIT']);
    expect(tcp6.find((s) => s.localPort === p6 && s.state === 'LISTEN')?.localAddress).toBe('::1');
    const dual = port('dual-stack (IPv4 clients, IPv4-mapped)');
    expect(tcp6.find((s) => s.localPort === dual && s.state === 'LISTEN')?.localAddress).toBe('::');
    const mapped = tcp6.find((s) => s.localPort === dual && s.state === 'ESTABLISHED');
    expect(mapped).toMatchObject({ localAddress: '::ffff:127.0.0.1', family: 6 });
    expect(mapped?.remoteAddress).toBe('::ffff:127.0.0.1');
  });

  it('reads SYN_SENT, SYN_RECV, FIN_WAIT1, LAST_ACK and CLOSING', () => {
    expect(
      tcp.some((s) => s.remotePort === port('SYN_SENT (client)') && s.state === 'SYN_SENT'),
    ).toBe(true);
    expect(statesOn(tcp, port('SYN_RECV (server)'))).toEqual(['LISTEN', 'SYN_RECV']);
    const finPort = port('FIN_WAIT1 (client), LAST_ACK (server)');
    expect(statesOn(tcp, finPort)).toEqual(['LAST_ACK', 'LISTEN']);
    expect(tcp.some((s) => s.remotePort === finPort && s.state === 'FIN_WAIT1')).toBe(true);
    expect(statesOn(tcp, port('CLOSING (server)'))).toEqual(['CLOSING', 'LISTEN']);
  });

  it('filters by local port before decoding', () => {
    const only = parseProcNetTcp(recorded('linux-proc-net-tcp.txt'), 4, port('ipv4'), 'LE');
    expect(only.length).toBeGreaterThan(0);
    expect(only.every((s) => s.localPort === port('ipv4'))).toBe(true);
  });

  it('maps state 07 (CLOSE, never listed by the kernel in practice) and skips junk', () => {
    // Synthetic line: the kernel does not hash sockets in CLOSE, so no recording holds one.
    const line =
      '   0: 0100007F:1F90 0100007F:D431 07 00000000:00000000 00:00000000 00000000  1000        0 4242 1';
    expect(parseProcNetTcp(`header\n${line}\ngarbage\n`, 4, 8080, 'LE')).toEqual([
      {
        family: 4,
        localAddress: '127.0.0.1',
        localPort: 8080,
        remoteAddress: '127.0.0.1',
        remotePort: 54321,
        state: 'CLOSE',
        uid: 1000,
        inode: 4242,
      },
    ]);
  });
});
