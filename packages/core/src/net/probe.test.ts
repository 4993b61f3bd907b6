import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { bindProbe, bindProbeSync, canBind, connectProbe, reusePortProbe } from './probe.js';
import { rejection } from '../../test/helpers.js';

const servers: net.Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
});
async function listen(host: string): Promise<number> {
  const server = net.createServer((s) => s.on('error', () => {}));
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, host, r));
  return (server.address() as net.AddressInfo).port;
}

describe('probes', () => {
  it('bind-probes without listening: EADDRINUSE behind a listener, ok elsewhere', async () => {
    const port = await listen('127.0.0.1');
    expect(bindProbeSync('0.0.0.0', port)).toBe('EADDRINUSE');
    expect(bindProbeSync('127.0.0.1', port)).toBe('EADDRINUSE');
    expect(bindProbeSync('::', port)).toBe('ok'); // IPv6-only wildcard
    expect(await bindProbe('192.0.2.1', port)).toBe('EADDRNOTAVAIL');
    // the probe never listened: nothing accepts on a probed free port
    const free = await listen('127.0.0.1');
    await new Promise((r) => servers.pop()?.close(r));
    expect(bindProbeSync('127.0.0.1', free)).toBe('ok');
    expect(await connectProbe('127.0.0.1', free)).toBe(false);
  });

  it('a dual-stack [::] listener blocks 0.0.0.0', async () => {
    const port = await listen('::');
    expect(bindProbeSync('0.0.0.0', port)).toBe('EADDRINUSE');
  });

  it('connect-probes', async () => {
    const port = await listen('127.0.0.1');
    expect(await connectProbe('127.0.0.1', port)).toBe(true);
    expect(await connectProbe('127.0.0.1', port, 1000, 'reset')).toBe(true);
  });

  it.each([
    ['::1', true],
    ['::1', false],
    ['127.0.0.1', true],
    ['127.0.0.1', false],
  ] as const)('tells whether the listener on %s set SO_REUSEPORT (%s)', async (address, set) => {
    const script = [
      'import socket, sys, time',
      's = socket.socket(socket.AF_INET6 if ":" in sys.argv[1] else socket.AF_INET)',
      's.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)',
      'if sys.argv[2] == "1": s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)',
      's.bind((sys.argv[1], 0)); s.listen(); print(s.getsockname()[1], flush=True); time.sleep(30)',
    ].join('\n');
    const listener = spawn('python3', ['-c', script, address, set ? '1' : '0']);
    try {
      const port = await new Promise<number>((resolve) =>
        listener.stdout.once('data', (d: Buffer) => resolve(Number(String(d)))),
      );
      expect(await reusePortProbe(address, port)).toBe(set);
    } finally {
      listener.kill('SIGKILL');
    }
  });
});

describe('canBind', () => {
  it('fails with REBIND_PROBE_FAILED, not a plain Error, when a probe fails for another reason than a held port', async () => {
    // 192.0.2.1 (TEST-NET-1) is no address of this machine: bind() fails with EADDRNOTAVAIL
    // and nothing is sent anywhere.
    const port = await listen('127.0.0.1');
    const error = await rejection(canBind(port, ['192.0.2.1']));
    expect(error.code).toBe('REBIND_PROBE_FAILED');
    expect(error.message).toBe(
      `Probing whether 192.0.2.1:${port} is free failed with EADDRNOTAVAIL, which is not a port conflict. Use an address of this machine instead of 192.0.2.1.`,
    );
    expect(error.details).toEqual({ host: '192.0.2.1', port, errno: 'EADDRNOTAVAIL' });
  });
});
