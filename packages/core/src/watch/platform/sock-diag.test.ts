import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { childrenOf, commandLine, isRunning } from '../../proc/process-tree.js';
import { tcpStates } from '../port-report.js';
import { parseSs } from '../ss.js';
import { parseSockDiagLine, sockDiagSockets, stopSockDiag } from './sock-diag.js';

const dist = fileURLToPath(new URL('../../../dist/index.js', import.meta.url));

const closers: (() => void)[] = [];
afterEach(() => {
  for (const close of closers.splice(0)) close();
  stopSockDiag();
});

/** This process's sock_diag helpers (perl children). */
const helpers = (pid = process.pid) =>
  childrenOf(pid).filter((c) => isRunning(c) && commandLine(c)?.startsWith('perl -e'));

async function until(check: () => boolean, within = 2000): Promise<boolean> {
  const deadline = Date.now() + within;
  while (!check() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  return check();
}

describe('parseSockDiagLine (lines the helper printed here)', () => {
  it('reads IPv4, IPv4-mapped IPv6 and dual-stack listeners', () => {
    expect(parseSockDiagLine('S 4 10 45925 0 7f000001 00000000 0 39306890 -1')).toEqual({
      family: 4,
      localAddress: '127.0.0.1',
      localPort: 45925,
      remoteAddress: '0.0.0.0',
      remotePort: 0,
      state: 'LISTEN',
      uid: 0,
      inode: 39306890,
    });
    expect(
      parseSockDiagLine(
        'S 6 10 34715 0 00000000000000000000000000000000 00000000000000000000000000000000 0 39306890 0',
      ),
    ).toMatchObject({ family: 6, localAddress: '::', state: 'LISTEN', v6Only: false });
    expect(
      parseSockDiagLine(
        'S 6 1 34715 33322 00000000000000000000ffff7f000001 00000000000000000000ffff7f000001 1000 39306892 -1',
      ),
    ).toEqual({
      family: 6,
      localAddress: '::ffff:127.0.0.1',
      localPort: 34715,
      remoteAddress: '::ffff:127.0.0.1',
      remotePort: 33322,
      state: 'ESTABLISHED',
      uid: 1000,
      inode: 39306892,
    });
    expect(
      parseSockDiagLine(
        'S 6 10 8080 0 00000000000000000000000000000001 00000000000000000000000000000000 0 5 1',
      ),
    ).toMatchObject({ localAddress: '::1', v6Only: true });
  });

  it('maps every kernel state, NEW_SYN_RECV as SYN_RECV; rejects what it does not know', () => {
    const state = (n: number) => parseSockDiagLine(`S 4 ${n} 80 1 7f000001 7f000001 0 0 -1`)?.state;
    // tcpStates is in the kernel's order, TCP_ESTABLISHED (1) to TCP_CLOSING (11)
    expect([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12].map(state)).toEqual([...tcpStates, 'SYN_RECV']);
    expect(state(13)).toBeUndefined();
    expect(parseSockDiagLine('E 1')).toBeUndefined();
    expect(parseSockDiagLine('S 4 10 80')).toBeUndefined();
  });
});

describe('sockDiagSockets on real sockets', () => {
  it('lists what ss lists on the port, with the same uid, inode and v6only', async () => {
    const server = net.createServer((s) => s.on('error', () => {}));
    await new Promise<void>((r) => server.listen({ port: 0, host: '::', ipv6Only: false }, r));
    const { port } = server.address() as net.AddressInfo;
    const client = net.connect(port, '127.0.0.1');
    client.on('error', () => {});
    closers.push(() => {
      client.destroy();
      server.close();
    });
    await new Promise((r) => client.once('connect', r));
    const sockets = await sockDiagSockets(port);
    expect(sockets?.map((s) => s.state).sort()).toEqual(['ESTABLISHED', 'LISTEN']);
    const ss = parseSs(execFileSync('ss', ['-Htane', `sport = :${port}`], { encoding: 'utf8' }));
    const order = (list: readonly object[]) => list.map((s) => JSON.stringify(s)).sort();
    expect(order(sockets ?? [])).toEqual(order(ss));
    expect(sockets?.find((s) => s.state === 'LISTEN')?.v6Only).toBe(false);
    // a port with nothing on it
    const empty = net.createServer();
    await new Promise<void>((r) => empty.listen(0, '127.0.0.1', r));
    const free = (empty.address() as net.AddressInfo).port;
    await new Promise((r) => empty.close(r));
    expect(await sockDiagSockets(free)).toEqual([]);
  });

  it('keeps one helper for many queries, and ends it', async () => {
    await Promise.all([sockDiagSockets(1), sockDiagSockets(2), sockDiagSockets(3)]);
    expect(helpers()).toHaveLength(1);
    const [pid] = helpers();
    stopSockDiag();
    expect(await until(() => !isRunning(pid as number))).toBe(true);
  });

  it('never keeps its owner alive, and does not outlive it', async () => {
    // A process that inspects a port and then has nothing left to do exits at once
    // (the helper's pipes are unreferenced), and its helper ends with it.
    const script = `import { inspectPort } from ${JSON.stringify(dist)};
      await inspectPort(1);
      const { execFileSync } = await import('node:child_process');
      console.log(execFileSync('ps', ['-o', 'pid=,args=', '--ppid', String(process.pid)], { encoding: 'utf8' }));`;
    // were the helper keeping it alive, it would run 5 s (the idle end) and be killed at 4 s
    const out = await new Promise<string>((resolve, reject) =>
      execFile(
        process.execPath,
        ['--input-type=module', '-e', script],
        { timeout: 4000 },
        (error, stdout) => (error ? reject(error) : resolve(stdout)),
      ),
    );
    const helperPid = Number(/^\s*(\d+) perl -e/m.exec(out)?.[1]);
    expect(helperPid).toBeGreaterThan(0);
    expect(await until(() => !isRunning(helperPid))).toBe(true);
  });

  it('without perl, inspectPort falls back to ss and still answers', async () => {
    const server = net.createServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    closers.push(() => server.close());
    const { port } = server.address() as net.AddressInfo;
    const bin = mkdtempSync(join(tmpdir(), 'rebind-noperl-'));
    closers.push(() => rmSync(bin, { recursive: true, force: true }));
    symlinkSync(
      execFileSync('sh', ['-c', 'command -v ss'], { encoding: 'utf8' }).trim(),
      join(bin, 'ss'),
    );
    const script = `import { inspectPort } from ${JSON.stringify(dist)};
      const r = await inspectPort(${port});
      console.log(JSON.stringify(r.sockets.map((s) => [s.state, s.pid])));`;
    const out = await new Promise<string>((resolve, reject) =>
      execFile(
        process.execPath,
        ['--input-type=module', '-e', script],
        { timeout: 4000, env: { ...process.env, PATH: bin, DEBUG: 'rebind:sock-diag' } },
        (error, stdout, stderr) => (error ? reject(error) : resolve(stdout + stderr)),
      ),
    );
    expect(out).toContain(`[["LISTEN",${process.pid}]]`);
    expect(out).toContain('helper error: spawn perl ENOENT'); // the helper was really missing
  });
});
