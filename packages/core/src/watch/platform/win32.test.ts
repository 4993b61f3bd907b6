import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  createWin32Backend,
  parseGetNetTcpConnection,
  parseWin32Netstat,
  parseWin32Processes,
} from './win32.js';

const recorded = (name: string) =>
  readFileSync(new URL(`../../../fixtures/recorded/${name}`, import.meta.url), 'utf8');
const allStates = [
  'CLOSE',
  'CLOSE_WAIT',
  'CLOSING',
  'ESTABLISHED',
  'FIN_WAIT1',
  'FIN_WAIT2',
  'LAST_ACK',
  'LISTEN',
  'SYN_RECV',
  'SYN_SENT',
  'TIME_WAIT',
];

describe('parseWin32Netstat', () => {
  it('reads the English output: every state, IPv6 with zones, TIME_WAIT without pid', () => {
    const { sockets, unknownStates } = parseWin32Netstat(recorded('win32-netstat-ano-en.txt'));
    expect(unknownStates).toEqual([]);
    expect([...new Set(sockets.map((s) => s.state))].sort()).toEqual(allStates);
    expect(sockets.find((s) => s.localAddress === '::' && s.localPort === 8080)).toEqual({
      family: 6,
      localAddress: '::',
      localPort: 8080,
      remoteAddress: '::',
      remotePort: 0,
      state: 'LISTEN',
      pid: 4321,
    });
    expect(sockets.find((s) => s.state === 'TIME_WAIT')?.pid).toBeUndefined();
    expect(sockets.find((s) => s.localAddress.startsWith('fe80'))?.localAddress).toBe(
      'fe80::1c2d:3e4f:5a6b:7c8d',
    );
    expect(
      sockets.some((s) => s.localPort === 8080 && s.family === 4 && s.state === 'LISTEN'),
    ).toBe(true);
  });

  it('reads the German output, code page mangling included', () => {
    const { sockets, unknownStates } = parseWin32Netstat(
      recorded('win32-netstat-ano-de.txt'),
      8080,
    );
    expect(unknownStates).toEqual([]);
    expect(sockets.map((s) => s.state)).toEqual([
      'LISTEN',
      'ESTABLISHED',
      'TIME_WAIT',
      'CLOSE_WAIT',
      'CLOSING',
      'LISTEN',
      'ESTABLISHED',
    ]);
    const all = parseWin32Netstat(recorded('win32-netstat-ano-de.txt')).sockets;
    expect(all.filter((s) => s.localPort === 50125)[0]?.state).toBe('FIN_WAIT2');
    expect(all.find((s) => s.state === 'SYN_SENT')?.pid).toBe(7788);
  });

  it('reports words it does not know instead of guessing', () => {
    const text = '  TCP    127.0.0.1:8080         0.0.0.0:0              ESCUTANDO       4321\r\n';
    expect(parseWin32Netstat(text)).toEqual({ sockets: [], unknownStates: ['ESCUTANDO'] });
  });
});

describe('parseGetNetTcpConnection', () => {
  it('reads every state name and IPv4-mapped addresses', () => {
    const sockets = parseGetNetTcpConnection(recorded('win32-get-nettcpconnection.csv'), 8080);
    expect([...new Set(sockets.map((s) => s.state))].sort()).toEqual(
      allStates.filter((s) => s !== 'CLOSE'),
    );
    expect(sockets[2]).toMatchObject({ family: 6, localAddress: '::ffff:127.0.0.1', pid: 4321 });
    expect(sockets.find((s) => s.state === 'TIME_WAIT')?.pid).toBeUndefined();
  });
});

describe('the win32 back end', () => {
  it('falls back to Get-NetTCPConnection when netstat speaks an unknown language', async () => {
    const calls: string[] = [];
    const backend = createWin32Backend((command) => {
      calls.push(command);
      if (command === 'netstat') {
        return Promise.resolve('  TCP    0.0.0.0:8080    0.0.0.0:0    ESCUTANDO    4321\r\n');
      }
      return Promise.resolve(
        calls.length === 2
          ? recorded('win32-get-nettcpconnection.csv')
          : recorded('win32-processes.csv'),
      );
    });
    const sockets = await backend.listSockets(8080);
    expect(sockets[0]).toMatchObject({ state: 'LISTEN', localAddress: '::', pid: 4321 });
    const { owners } = await backend.findOwners(sockets, { docker: false });
    expect(owners[0]).toEqual({
      pid: 4321,
      known: true,
      command: 'node.exe',
      commandLine: '"C:\\Program Files\\nodejs\\node.exe" server.js --port 8080',
      parentPid: 880,
    });
    expect(parseWin32Processes(recorded('win32-processes.csv'))[1]?.commandLine).toBe(
      'svchost.exe',
    );
    expect(calls).toEqual(['netstat', 'powershell.exe', 'powershell.exe']);
  });
});
