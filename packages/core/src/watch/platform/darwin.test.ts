import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createDarwinBackend, parseDarwinNetstat, parseLsof, parsePs } from './darwin.js';

const recorded = (name: string) =>
  readFileSync(new URL(`../../../fixtures/recorded/${name}`, import.meta.url), 'utf8');

describe('parseDarwinNetstat', () => {
  it('reads the old layout (pid column), every state, IPv6, IPv4-mapped and tcp46', () => {
    const sockets = parseDarwinNetstat(recorded('darwin-netstat-anv-legacy.txt'));
    expect(new Set(sockets.map((s) => s.state))).toEqual(
      new Set([
        'LISTEN',
        'ESTABLISHED',
        'TIME_WAIT',
        'CLOSE_WAIT',
        'FIN_WAIT2',
        'SYN_SENT',
        'SYN_RECV',
        'FIN_WAIT1',
        'LAST_ACK',
        'CLOSING',
        'CLOSE',
      ]),
    );
    expect(sockets[0]).toEqual({
      family: 4,
      localAddress: '127.0.0.1',
      localPort: 8080,
      remoteAddress: '0.0.0.0',
      remotePort: 0,
      state: 'LISTEN',
      pid: 18432,
    });
    expect(sockets.find((s) => s.localPort === 3000 && s.state === 'LISTEN')).toMatchObject({
      family: 6,
      localAddress: '::',
      pid: 12345,
    });
    expect(sockets.find((s) => s.remotePort === 52350)).toMatchObject({
      localAddress: '::ffff:127.0.0.1',
      remoteAddress: '::ffff:127.0.0.1',
    });
    expect(sockets.find((s) => s.state === 'TIME_WAIT')?.pid).toBeUndefined();
    expect(sockets.find((s) => s.localAddress === 'fe80::1')?.localPort).toBe(8080);
  });

  it('reads the macOS 15 layout (process:pid, names with spaces) and filters by port', () => {
    const sockets = parseDarwinNetstat(recorded('darwin-netstat-anv-15.txt'), 8080);
    expect(sockets.every((s) => s.localPort === 8080)).toBe(true);
    expect(sockets.map((s) => [s.state, s.pid])).toEqual([
      ['LISTEN', 18432],
      ['LISTEN', 18432],
      ['ESTABLISHED', 18432],
      ['CLOSE_WAIT', 18432],
    ]);
    const client = parseDarwinNetstat(recorded('darwin-netstat-anv-15.txt'), 52344);
    expect(client).toMatchObject([{ state: 'ESTABLISHED', pid: 20111, remotePort: 8080 }]);
  });
});

describe('parseLsof and parsePs', () => {
  it('reads lsof rows with IPv6 brackets, escaped names and arrows', () => {
    const rows = parseLsof(recorded('darwin-lsof.txt'));
    expect(rows).toHaveLength(6);
    expect(rows[1]).toMatchObject({ family: 6, localAddress: '::1', localPort: 8080, pid: 18432 });
    expect(rows[3]).toMatchObject({ command: 'Code H', pid: 20111, remotePort: 8080 });
    expect(rows[4]).toMatchObject({ localAddress: '::', state: 'LISTEN', user: 'alice' });
    expect(rows[5]).toMatchObject({ localAddress: '::ffff:127.0.0.1', remotePort: 52350 });
  });

  it('reads ps command lines', () => {
    expect(parsePs(recorded('darwin-ps.txt'))[0]).toEqual({
      pid: 18432,
      known: true,
      command: 'nginx:',
      commandLine: 'nginx: master process /opt/homebrew/bin/nginx -c /tmp/rebind-x/nginx.conf',
      uid: 501,
      user: 'alice',
      parentPid: 1,
    });
  });
});

describe('the darwin back end', () => {
  it('runs netstat then ps, with the recorded outputs', async () => {
    const calls: string[] = [];
    const backend = createDarwinBackend((command, args) => {
      calls.push(`${command} ${args.join(' ')}`);
      if (command === 'netstat') return Promise.resolve(recorded('darwin-netstat-anv-legacy.txt'));
      return Promise.resolve(recorded('darwin-ps.txt'));
    });
    const sockets = await backend.listSockets(3000);
    const { owners } = await backend.findOwners(sockets, { docker: false });
    expect(owners.map((o) => o.pid)).toEqual([18432, 12345]);
    expect(calls).toEqual([
      'netstat -anv -p tcp',
      'ps -ww -o pid=,ppid=,uid=,user=,args= -p 12345',
    ]);
  });
});
