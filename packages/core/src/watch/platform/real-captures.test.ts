import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseDarwinNetstat, parseLsof } from './darwin.js';
import { parseWin32Netstat } from './win32.js';

// Outputs pasted in public issue threads (fixtures/recorded/real/SOURCES.md has the URLs).
const real = (name: string) =>
  readFileSync(new URL(`../../../fixtures/recorded/real/${name}`, import.meta.url), 'utf8');

describe('real captures of macOS and Windows', () => {
  it("reads macOS lsof: launchd's screen-sharing listeners on *:5900 (inspec#3069)", () => {
    const rows = parseLsof(real('darwin-lsof-PiTCP-inspec-3069.txt'));
    expect(rows.map((r) => [r.family, r.localAddress, r.localPort, r.state, r.pid])).toEqual([
      [6, '::', 5900, 'LISTEN', 1],
      [6, '::', 5900, 'LISTEN', 1],
      [4, '0.0.0.0', 5900, 'LISTEN', 1],
      [4, '0.0.0.0', 5900, 'LISTEN', 1],
    ]);
    expect(rows[0]).toMatchObject({ command: 'launchd', user: 'root' });
  });

  it('reads macOS netstat without a header or pids (flask#4382)', () => {
    const sockets = parseDarwinNetstat(real('darwin-netstat-anlp-tcp-flask-4382.txt'), 5000);
    expect(sockets.map((s) => [s.family, s.localAddress, s.state, s.pid])).toEqual([
      [4, '127.0.0.1', 'LISTEN', undefined],
      [6, '::', 'LISTEN', undefined],
      [4, '0.0.0.0', 'LISTEN', undefined],
    ]);
  });

  it('reads Windows netstat -ano rows, filtered or not, with a Chinese header', () => {
    const rows = (name: string) =>
      parseWin32Netstat(real(name)).sockets.map((s) => [
        `${s.localAddress}:${s.localPort}`,
        s.state,
        s.pid,
      ]);
    expect(rows('win32-netstat-aon-whoport-1.txt')).toEqual([
      ['0.0.0.0:8042', 'LISTEN', 8224],
      ['127.0.0.2:80', 'LISTEN', 3040],
    ]);
    expect(rows('win32-netstat-ano-meshcentral-506.txt')).toEqual([
      ['0.0.0.0:80', 'LISTEN', 64200],
      ['0.0.0.0:443', 'LISTEN', 64200],
      ['192.168.0.5:8080', 'LISTEN', 18364],
    ]);
    // pid 4 is "System": http.sys (IIS, WinRM...) holds port 80 for the kernel
    expect(rows('win32-netstat-ano-notebook-71.txt')).toEqual([
      ['0.0.0.0:80', 'LISTEN', 4],
      ['0.0.0.0:49666', 'LISTEN', 1480],
      ['127.0.0.1:53679', 'ESTABLISHED', 12492],
    ]);
    // TIME_WAIT rows carry pid 0: no process holds them
    expect(rows('win32-netstat-ano-zh-billfeller-174.txt')).toEqual([
      ['127.0.0.1:8411', 'TIME_WAIT', undefined],
      ['127.0.0.1:8411', 'TIME_WAIT', undefined],
    ]);
    expect(
      parseWin32Netstat(real('win32-netstat-ano-zh-billfeller-174.txt')).unknownStates,
    ).toEqual([]);
  });
});
