import { describe, expect, it } from 'vitest';
import { parseTcpTable, parseUdpTable, tcpBusy } from './port-usage.js';

const header =
  '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n';

describe('socket tables', () => {
  it('marks every local TCP port, and whether only TIME_WAIT sits on it', () => {
    const tcp = parseTcpTable(
      header +
        '   0: 0100007F:4E20 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 111 1\n' +
        '   1: 0100007F:4E21 0100007F:9C40 06 00000000:00000000 03:00000F9F 00000000     0        0 0 3\n' +
        '   2: 0100007F:4E22 0100007F:9C41 06 00000000:00000000 03:00000F9F 00000000     0        0 0 3\n' +
        '   3: 0100007F:4E22 0100007F:9C42 01 00000000:00000000 00:00000000 00000000     0        0 112 1\n',
    );
    const tcp6 = parseTcpTable(
      header +
        '   0: 00000000000000000000000000000000:4E23 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 113 1\n',
      tcp,
    );
    expect([...tcp6]).toEqual([
      [20000, false],
      [20001, true],
      [20002, false],
      [20003, false],
    ]);
    const snapshot = { tcp: tcp6, udp: new Map<number, string[]>(), takenAt: 0 };
    expect(tcpBusy(snapshot, 20000, true)).toBe(true);
    expect(tcpBusy(snapshot, 20001, false)).toBe(true);
    expect(tcpBusy(snapshot, 20001, true)).toBe(false);
    expect(tcpBusy(snapshot, 20002, true)).toBe(true);
    expect(tcpBusy(snapshot, 20004, false)).toBe(false);
  });

  it('finds UDP sockets on 127.0.0.1 and 0.0.0.0 with their inodes', () => {
    const udp = parseUdpTable(
      '   sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops\n' +
        '  100: 0100007F:4E20 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 201 2 0 0\n' +
        '  101: 00000000:4E21 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 202 2 0 0\n' +
        '  102: 0A00020F:4E22 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 203 2 0 0\n',
    );
    expect([...udp]).toEqual([
      [20000, ['201']],
      [20001, ['202']],
    ]);
  });
});
