import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseSs } from './ss.js';

const recorded = (name: string) =>
  readFileSync(new URL(`../../fixtures/recorded/${name}`, import.meta.url), 'utf8');

describe('parseSs on recorded ss output', () => {
  it('reads every state ss printed for the staged sockets (ss -tanpe, with header)', () => {
    const staged = JSON.parse(recorded('linux-staged.json')) as Record<string, { port: number }>;
    const sockets = parseSs(recorded('linux-ss-tanpe.txt'));
    const states = new Set(sockets.map((s) => s.state));
    for (const state of [
      'LISTEN',
      'ESTABLISHED',
      'SYN_SENT',
      'FIN_WAIT2',
      'TIME_WAIT',
      'CLOSE_WAIT',
      'CLOSING',
      'FIN_WAIT1',
    ]) {
      expect(states).toContain(state);
    }
    const ipv4 = staged.ipv4?.port ?? 0;
    expect(sockets.find((s) => s.localPort === ipv4 && s.state === 'LISTEN')).toMatchObject({
      family: 4,
      localAddress: '127.0.0.1',
      remoteAddress: '0.0.0.0',
      remotePort: 0,
    });
  });

  it('reads v6only, the dual-stack `*`, IPv4-mapped addresses, uid and inode (ss -Htane)', () => {
    const ports = JSON.parse(recorded('linux-ss-htane.json')) as Record<string, number>;
    const sockets = parseSs(recorded('linux-ss-htane.txt'));
    expect(sockets.find((s) => s.localPort === ports.v6only)).toMatchObject({
      family: 6,
      localAddress: '::',
      v6Only: true,
      state: 'LISTEN',
    });
    expect(
      sockets.find((s) => s.localPort === ports.dualStack && s.state === 'LISTEN'),
    ).toMatchObject({
      family: 6,
      localAddress: '::',
      remoteAddress: '::',
      v6Only: false,
    });
    const mapped = parseSs(recorded('linux-ss-htane.txt'), ports.dualStack);
    expect(mapped.map((s) => s.state)).toEqual(['LISTEN', 'TIME_WAIT', 'ESTABLISHED']);
    expect(mapped[1]).toMatchObject({ localAddress: '::ffff:127.0.0.1', inode: 0 });
    expect(sockets.find((s) => s.localPort === ports.nobody)).toMatchObject({
      uid: 65534,
      family: 4,
    });
    expect(mapped[0]?.inode).toBeGreaterThan(0);
  });
});
