import { randomInt } from 'node:crypto';
import net from 'node:net';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { allocatePort, allocatePorts } from './allocate-port.js';
import { isRebindError } from '../errors.js';
import type { PortLease } from './port-lease.js';
import { readEphemeralRange, type PortRange } from './port-range.js';
import { eventually } from '../../test/helpers.js';

const dist = fileURLToPath(new URL('../../dist/index.js', import.meta.url));
const leases: PortLease[] = [];
const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  await Promise.all(leases.splice(0).map((lease) => lease.release()));
});

/** Leases all `size` ports of a random block above the ephemeral range (no other suite uses it). */
async function freeBlock(size: number): Promise<{ range: PortRange; held: PortLease[] }> {
  const [, high] = await readEphemeralRange();
  for (let attempt = 0; ; attempt++) {
    const low = randomInt(high + 1, 65535 - size);
    const range: PortRange = [low, low + size - 1];
    try {
      const held = await allocatePorts(size, { range });
      leases.push(...held);
      return { range, held };
    } catch (error) {
      if (attempt > 20 || !isRebindError(error, 'REBIND_PORTS_EXHAUSTED')) throw error;
    }
  }
}

function exhaustedMessage(range: PortRange, held: number, pids: number[], busy = 0): string {
  const [low, high] = range;
  const who = `pid${pids.length > 1 ? 's' : ''} ${pids.join(', ')}`;
  return (
    `No free port in ${low}-${high} (${high - low + 1} ports): ${held} held by rebind leases (${who}), ` +
    `${busy} in use by other sockets, 0 excluded. ` +
    'Release leases you no longer need, widen `range`, or end the processes named.'
  );
}

function listen(port: number, host: string): Promise<net.Server> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen({ port, host }, () => resolve(server));
  });
}

const close = (server: net.Server) => new Promise<void>((resolve) => server.close(() => resolve()));

/** Leaves a TIME_WAIT socket on the server side of `port` (the server closes first). */
async function leaveTimeWait(port: number): Promise<void> {
  const server = await listen(port, '127.0.0.1');
  server.on('connection', (socket) => socket.end());
  const client = net.connect(port, '127.0.0.1');
  client.on('end', () => client.end());
  await once(client, 'close');
  await close(server);
}

describe('allocatePort', () => {
  it('leases a port below the ephemeral range that a server binds on every family', async () => {
    const lease = await allocatePort();
    leases.push(lease);
    const [ephemeralLow] = await readEphemeralRange();
    expect(lease.port).toBeGreaterThanOrEqual(1024);
    expect(lease.port).toBeLessThan(ephemeralLow);
    expect(lease.hosts).toEqual(['0.0.0.0', '::']);
    // The lock does not stop the holder's own server, however often it restarts.
    for (let i = 0; i < 3; i++) await close(await listen(lease.port, '::'));
    await close(await listen(lease.port, '127.0.0.1'));
  });

  it('never hands out a leased port again in the same process', async () => {
    const { range, held } = await freeBlock(5);
    expect(new Set(held.map((l) => l.port)).size).toBe(5);
    const error: unknown = await allocatePort({ range }).catch((e: unknown) => e);
    expect(error).toMatchObject({
      code: 'REBIND_PORTS_EXHAUSTED',
      message: exhaustedMessage(range, 5, [process.pid]),
    });
  });

  it('skips a port with a listener, and honours exclude', async () => {
    const { range, held } = await freeBlock(3);
    const [a, b, c] = held as [PortLease, PortLease, PortLease];
    const server = await listen(a.port, '127.0.0.1');
    cleanups.push(() => close(server));
    await b.release();
    await c.release();
    await a.release();
    // a cools down while its listener remains; b and c come back.
    const lease = await eventually(() => allocatePort({ range, exclude: [b.port] }));
    leases.push(lease);
    expect(lease.port).toBe(c.port);
  });

  it('keeps a released port locked while a listener lingers on it, then re-issues it', async () => {
    const { range, held } = await freeBlock(1);
    const [lease] = held as [PortLease];
    const server = await listen(lease.port, '127.0.0.1');
    await lease.release();
    await new Promise((resolve) => setTimeout(resolve, 300)); // let the cool-down look
    await expect(allocatePort({ range })).rejects.toMatchObject({
      code: 'REBIND_PORTS_EXHAUSTED',
    });
    await close(server);
    const again = await eventually(() => allocatePort({ range }));
    leases.push(again);
    expect(again.port).toBe(lease.port);
  });

  it('does not re-issue a released port while a TIME_WAIT socket remains on it', async () => {
    const { range, held } = await freeBlock(1);
    const [lease] = held as [PortLease];
    await leaveTimeWait(lease.port);
    await lease.release();
    await new Promise((resolve) => setTimeout(resolve, 300)); // let the cool-down look
    await expect(allocatePort({ range, acceptTimeWait: true })).rejects.toMatchObject({
      code: 'REBIND_PORTS_EXHAUSTED',
      message: exhaustedMessage(range, 1, [process.pid]),
    });
  });

  it('refuses a port with a TIME_WAIT socket unless acceptTimeWait is set', async () => {
    // A port nobody leased, above the ephemeral range, with a TIME_WAIT socket on it.
    const [, high] = await readEphemeralRange();
    const port = await eventually(async () => {
      const candidate = randomInt(high + 1, 65536);
      await leaveTimeWait(candidate);
      return candidate;
    });
    // Older than the allocator's socket-table snapshot may be (2 s): the next call re-reads it.
    await new Promise((resolve) => setTimeout(resolve, 2100));
    const range: PortRange = [port, port];
    const error: unknown = await allocatePort({ range }).catch((e: unknown) => e);
    expect(error).toMatchObject({
      code: 'REBIND_PORTS_EXHAUSTED',
      message:
        `No free port in ${port}-${port} (1 ports): 0 held by rebind leases, ` +
        '1 in use by other sockets, 0 excluded. ' +
        'Release leases you no longer need, widen `range`, or end the processes named.',
    });
    const lease = await allocatePort({ range, acceptTimeWait: true });
    leases.push(lease);
    expect(lease.port).toBe(port);
  });

  it('hands a bound, listening socket to a child through an inherited fd', async () => {
    const lease = await allocatePort();
    leases.push(lease);
    const server = await lease.listen();
    const fixture = fileURLToPath(new URL('../../fixtures/serve-inherited.mjs', import.meta.url));
    // The child inherits the socket as fd 3; close our copy in the same tick, so that this
    // process never accepts a connection on it.
    expect(server.fd).toBeGreaterThan(2);
    const child = spawn(process.execPath, [fixture], {
      stdio: ['ignore', 'pipe', 'inherit', server.fd],
    });
    server.close();
    cleanups.push(async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGKILL');
      await once(child, 'exit');
    });
    const [line] = (await once(child.stdout as NodeJS.ReadableStream, 'data')) as [Buffer];
    expect(line.toString()).toBe('listening\n');
    const body = await (await fetch(`http://127.0.0.1:${lease.port}/`)).text();
    expect(body).toBe(`pid ${child.pid}`);
    const exited = once(child, 'exit');
    child.kill('SIGTERM');
    await exited;
  });
});

describe('allocatePort bad input', () => {
  const cases: [string, () => Promise<unknown>, string][] = [
    [
      'a range outside 1..65535',
      () => allocatePort({ range: [0, 100] }),
      'Expected the `range` option to be a `[low, high]` pair of integers from 1 to 65535 with low <= high, got `[0,100]` (array).',
    ],
    [
      'a range above 65535',
      () => allocatePort({ range: [65000, 70000] }),
      'Expected the `range` option to be a `[low, high]` pair of integers from 1 to 65535 with low <= high, got `[65000,70000]` (array).',
    ],
    [
      'a reversed range',
      () => allocatePort({ range: [20000, 10000] }),
      'Expected the `range` option to be a `[low, high]` pair of integers from 1 to 65535 with low <= high, got `[20000,10000]` (array).',
    ],
    [
      'an empty range',
      () => allocatePort({ range: [] as unknown as PortRange }),
      'Expected the `range` option to be a `[low, high]` pair of integers from 1 to 65535 with low <= high, got `[]` (array).',
    ],
    [
      'a count < 1',
      () => allocatePorts(0),
      'Expected the `count` option to be an integer >= 1, got `0` (number).',
    ],
    [
      'a fractional count',
      () => allocatePorts(1.5),
      'Expected the `count` option to be an integer >= 1, got `1.5` (number).',
    ],
    [
      'an unknown host',
      () => allocatePort({ host: 'no-such-host.invalid' }),
      'Expected the `host` option to be `localhost`, `0.0.0.0`, `::` or an address of this machine, got `no-such-host.invalid` (string).',
    ],
    [
      'a foreign address in hosts',
      () => allocatePort({ hosts: ['127.0.0.1', '192.0.2.1'] }),
      'Expected the `hosts` option to be `localhost`, `0.0.0.0`, `::` or an address of this machine, got `192.0.2.1` (string).',
    ],
  ];
  for (const [what, call, message] of cases) {
    it(`rejects ${what}`, async () => {
      await expect(call()).rejects.toMatchObject({ code: 'REBIND_INVALID_OPTION', message });
    });
  }

  it('rejects an aborted signal', async () => {
    await expect(allocatePort({ signal: AbortSignal.abort() })).rejects.toMatchObject({
      code: 'REBIND_ABORTED',
      message: 'Allocating a port was aborted.',
    });
  });

  it('refuses a range below 1024 unless privileged ports are asked for', async () => {
    await expect(allocatePort({ range: [80, 90] })).rejects.toThrow(
      'Expected the `range` option to be a range from 1024 up (ports below 1024 need root or CAP_NET_BIND_SERVICE; pass `privileged: true` if the server has them), got `[80,90]` (array).',
    );
    await expect(allocatePort({ range: [80, 90], privileged: 'yes' as never })).rejects.toThrow(
      'Expected the `privileged` option to be a boolean, got `yes` (string).',
    );
  });

  it('reports an EACCES probe as a privilege problem, never as held by leases', async () => {
    // Without CAP_NET_BIND_SERVICE (as root: after dropping to nobody, once the module is
    // loaded) the kernel refuses ports below net.ipv4.ip_unprivileged_port_start.
    const start = Number(
      await readFile('/proc/sys/net/ipv4/ip_unprivileged_port_start', 'utf8').catch(() => '1024'),
    );
    const script = `import { allocatePort } from ${JSON.stringify(dist)};
      if (process.getuid() === 0) { process.setgid(65534); process.setuid(65534); }
      try { const l = await allocatePort({ range: [1020, 1023], privileged: true }); console.log('leased', l.port); await l.release(); }
      catch (e) { console.log(e.code, e.message, JSON.stringify(e.details)); }`;
    const child = spawn(process.execPath, ['--input-type=module', '-e', script]);
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += String(d)));
    await once(child, 'exit');
    if (start <= 1020) {
      expect(out).toMatch(/^leased 102[0-3]/);
      return;
    }
    expect(out).toMatch(
      /^REBIND_PORTS_EXHAUSTED No free port in 1020-1023 \(4 ports\): 0 held by rebind leases, \d in use by other sockets, 0 excluded, \d refused by the kernel \(EACCES: this process may not bind ports below the unprivileged start, 1024 by default\)\. Run the server as root or grant it CAP_NET_BIND_SERVICE \(setcap cap_net_bind_service=\+ep <binary>\), or use a range from 1024 up\./,
    );
    expect(JSON.parse(out.slice(out.indexOf('{'))) as object).toMatchObject({ held: 0 });
  });
});
