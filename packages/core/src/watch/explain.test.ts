import { describe, expect, it } from 'vitest';
import { bindableFrom, conflicts, describeOwner, judge } from './explain.js';
import type { PortOwner, PortSocket } from './port-report.js';

const facts = {
  ephemeralRange: [32768, 60999] as const,
  unprivilegedPortStart: 1024,
  privileged: false,
};
const socket = (over: Partial<PortSocket>): PortSocket => ({
  family: 4,
  localAddress: '127.0.0.1',
  localPort: 8080,
  remoteAddress: '0.0.0.0',
  remotePort: 0,
  state: 'LISTEN',
  ...over,
});
const owner: PortOwner = {
  pid: 812,
  known: true,
  command: 'python3',
  commandLine: 'python3 -m http.server 8080',
  uid: 0,
  user: 'root',
};
const ok = [
  { address: '0.0.0.0', result: 'ok' },
  { address: '::', result: 'ok' },
];

describe('judge', () => {
  it('free', () => {
    expect(judge(8080, [], [], bindableFrom(ok, []), facts)).toEqual({
      verdict: 'free',
      explanation:
        'Port 8080 is free: no TCP socket uses it, and a server can bind it with or without SO_REUSEADDR.',
    });
  });

  it('listening, naming the holder and a fix that does not kill', () => {
    const sockets = [socket({ pid: 812 })];
    const probes = [{ address: '0.0.0.0', result: 'EADDRINUSE' }, ok[1]!];
    expect(judge(8080, sockets, [owner], bindableFrom(probes, sockets), facts).explanation).toBe(
      "Port 8080 is in use: pid 812 (python3 -m http.server 8080) listens on 127.0.0.1:8080. If that process is yours, stop it and wait for the port (waitForPort(8080, { until: 'free' })); otherwise choose another port, or let rebind choose a port (port: 'auto').",
    );
  });

  it('a dual-stack listener and a container', () => {
    const sockets = [socket({ family: 6, localAddress: '::', pid: 900 })];
    const proxy: PortOwner = {
      pid: 900,
      known: true,
      command: 'docker-proxy',
      commandLine: 'docker-proxy ...',
      container: { id: '3f2a1b9c0d1e', name: 'web', image: 'rebind/nginx:test' },
    };
    const probes = [
      { address: '0.0.0.0', result: 'EADDRINUSE' },
      { address: '::', result: 'EADDRINUSE' },
    ];
    expect(judge(8080, sockets, [proxy], bindableFrom(probes, sockets), facts).explanation).toBe(
      "Port 8080 is in use: container web (3f2a1b9c0d1e, image rebind/nginx:test) through docker-proxy pid 900 listens on [::]:8080. The [::] listener is dual-stack, so it also blocks 0.0.0.0:8080. Remove the container if it is yours (docker rm -f web), publish another host port, or let rebind choose a port (port: 'auto').",
    );
  });

  it('time-wait: SO_REUSEADDR servers can bind, plain ones cannot', () => {
    const sockets = [
      socket({ state: 'TIME_WAIT', remotePort: 50000, remoteAddress: '127.0.0.1', inode: 0 }),
    ];
    const b = bindableFrom(ok, sockets);
    expect(b).toMatchObject({ plain: false, reuseAddr: true });
    expect(judge(8080, sockets, [], b, facts).verdict).toBe('time-wait');
  });

  it('busy: privileged port, outgoing connection in the ephemeral range, bound but not listening', () => {
    const denied = [{ address: '0.0.0.0', result: 'EACCES' }];
    expect(
      judge(80, [], [], bindableFrom(denied, [], '0.0.0.0'), facts, '0.0.0.0').explanation,
    ).toMatch(/^Port 80 needs privilege: ports below 1024 can be bound only by root/);
    const out = [
      socket({
        localPort: 40000,
        state: 'ESTABLISHED',
        remoteAddress: '127.0.0.1',
        remotePort: 9000,
        pid: 812,
      }),
    ];
    const inUse = [{ address: '0.0.0.0', result: 'EADDRINUSE' }];
    const j = judge(40000, out, [owner], bindableFrom(inUse, out), facts);
    expect(j.verdict).toBe('busy');
    expect(j.explanation).toContain('inside the ephemeral range 32768-60999');
    expect(judge(8080, [], [], bindableFrom(inUse, []), facts).explanation).toContain(
      'a socket is bound to it without listening',
    );
  });

  it('unknown owners by uid', () => {
    expect(describeOwner({ known: false, uid: 1000, user: 'alice' })).toBe(
      'a process of uid 1000 (alice) that rebind is not permitted to see (owner unknown)',
    );
  });
});

describe('conflicts', () => {
  it('knows which sockets stand in the way of which host', () => {
    const v4 = socket({});
    const dual = socket({ family: 6, localAddress: '::' });
    expect(conflicts(v4, '127.0.0.2')).toBe(false);
    expect(conflicts(v4, '0.0.0.0')).toBe(true);
    expect(conflicts(dual, '0.0.0.0')).toBe(true);
    expect(conflicts(v4, '::1')).toBe(false);
    expect(conflicts(v4, '::')).toBe(true);
    expect(conflicts(socket({ family: 6, localAddress: '::1' }), '::1')).toBe(true);
  });
});
