// The port allocator beside get-port and portfinder, measured in one run:
// (a) 8 processes x 1,000 allocations held at once: duplicate ports across the run;
// (b) calls/s in one process, and the time of each block of allocations 1..10,000 (no
//     stall: get-port stalls after ~7,000 here, its ports come from bind(0), which draws
//     only ~7,000 distinct ports);
// (c) same-port restarts of Node servers while other processes open outgoing connections:
//     binds lost. get-port's ports lie in the ephemeral range, where those connections take
//     their local ports; but Linux hands bind(0) (hence get-port) odd ports and connect()
//     even ones first, so get-port's ports are taken only once the even ones run out. The
//     "even ephemeral" row shows what a port of the other parity in that range meets (a
//     random port, or another allocator's);
// (d) the time to REBIND_PORTS_EXHAUSTED when a range is used up (target: < 100 ms).
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import net from 'node:net';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { allocatePort, allocatePorts } from '@rebind/core';
import getPort from 'get-port';
import { printTable } from '../lib/stats.js';

const child = fileURLToPath(new URL('../lib/allocate-port-child.js', import.meta.url));
const libs = ['rebind', 'get-port', 'portfinder'];

function start(args, { maxHeapMb } = {}) {
  const flags = maxHeapMb === undefined ? [] : [`--max-old-space-size=${maxHeapMb}`];
  const proc = spawn(process.execPath, [...flags, child, ...args], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  // Lines are queued: readline may emit several in one tick, and once() would drop some.
  const queue = [];
  let wake = () => {};
  createInterface({ input: proc.stdout }).on('line', (line) => {
    queue.push(line);
    wake();
  });
  let exitedWith;
  proc.once('exit', (code, signal) => {
    exitedWith = code ?? signal;
    wake();
  });
  const next = async () => {
    for (;;) {
      if (queue.length > 0) return queue.shift();
      if (exitedWith !== undefined) {
        throw new Error(`allocate-port-child ${args.join(' ')} exited (${exitedWith})`);
      }
      await new Promise((resolve) => (wake = resolve));
    }
  };
  const stop = async () => {
    if (proc.exitCode !== null || proc.signalCode !== null) return;
    const exited = once(proc, 'exit');
    proc.stdin.end();
    const timer = setTimeout(() => proc.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  };
  return { proc, next, stop };
}

async function concurrentHold({ smoke, print }) {
  const processes = smoke ? 2 : 8;
  const count = smoke ? 20 : 1000;
  const rows = [];
  for (const lib of libs) {
    const children = Array.from({ length: processes }, () => start(['hold', lib, String(count)]));
    try {
      for (const c of children) c.proc.stdin.write('go\n');
      const results = await Promise.all(children.map(async (c) => JSON.parse(await c.next())));
      const ports = results.flatMap((r) => r.ports);
      const distinct = new Set(ports).size;
      rows.push({
        name: lib,
        samples: results.flatMap((r) => r.samples),
        duplicates: String(ports.length - distinct),
        distinct: String(distinct),
      });
    } finally {
      await Promise.all(children.map((c) => c.stop()));
    }
  }
  printTable(
    `(a) ${processes} processes x ${count} allocations held at once (per-call ms, duplicates across all)`,
    rows,
    { baseline: 'get-port', print, extra: ['duplicates', 'distinct'] },
  );
}

async function rate({ smoke, print }) {
  const count = smoke ? 200 : 10_000;
  const block = smoke ? 50 : 1000;
  const deadlineMs = smoke ? 5000 : 30_000;
  const rows = [];
  for (const lib of libs) {
    // portfinder scans up from 8000 on every call: 2,000 calls tell its rate well enough.
    const n = lib === 'portfinder' ? Math.min(count, smoke ? 50 : 2000) : count;
    // A bounded heap: a stalled get-port call allocates until it dies (4 GB otherwise).
    const c = start(['rate', lib, String(n), String(deadlineMs)], { maxHeapMb: 512 });
    const killer = setTimeout(() => c.proc.kill('SIGKILL'), deadlineMs + 10_000);
    try {
      const samples = [];
      let ended = 'completed';
      let lastMessageAt = performance.now();
      let stalledMs = 0;
      for (;;) {
        let message;
        try {
          message = JSON.parse(await c.next());
          lastMessageAt = performance.now();
        } catch {
          // The time since the last report went into calls that never returned.
          stalledMs = performance.now() - lastMessageAt;
          const { exitCode, signalCode } = c.proc;
          ended =
            signalCode === 'SIGKILL'
              ? 'killed 10 s after the deadline, inside one call'
              : `crashed (${signalCode ?? exitCode}, out of memory?)`;
          break;
        }
        samples.push(...message.samples);
        if (message.done) {
          if (samples.length < n) ended = 'stopped at the deadline';
          break;
        }
      }
      const total = samples.reduce((a, b) => a + b, 0) + stalledMs;
      const blocks = [];
      for (let i = 0; i < samples.length; i += block) {
        blocks.push(samples.slice(i, i + block).reduce((a, b) => a + b, 0));
      }
      rows.push({
        name: lib,
        samples,
        asked: n,
        ended,
        stalledMs,
        'calls/s': String(Math.round((samples.length / total) * 1000)),
        'worst block ms': Math.max(...blocks),
        'first block ms': blocks[0],
        'last block ms': blocks.at(-1),
        blocks,
      });
    } finally {
      clearTimeout(killer);
      await c.stop();
    }
  }
  printTable(
    `(b) ${count} allocations in one process, held (portfinder: fewer; each stops after ${deadlineMs / 1000} s)`,
    rows,
    {
      baseline: 'get-port',
      print,
      extra: ['calls/s', 'first block ms', 'worst block ms', 'last block ms'],
    },
  );
  print(`\n(b) ms per block of ${block} allocations, in order`);
  for (const row of rows) {
    const stalled =
      row.stalledMs > 0 ? `, ${(row.stalledMs / 1000).toFixed(1)} s without a result` : '';
    const stopped =
      row.ended === 'completed'
        ? ''
        : ` (${row.ended} after ${row.samples.length} calls${stalled})`;
    print(`${row.name.padEnd(10)} ${row.blocks.map((b) => b.toFixed(0)).join(' ')}${stopped}`);
  }
}

const listen = (port) =>
  new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
const close = (server) => new Promise((resolve) => server.close(resolve));
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Binds `port`, retrying EADDRINUSE for up to 2 s; then counts the port as lost. */
async function bindRetrying(port, counter) {
  const deadline = performance.now() + 2000;
  for (;;) {
    try {
      return await listen(port);
    } catch (error) {
      if (error.code !== 'EADDRINUSE') throw error;
      counter.lost++;
      if (performance.now() > deadline) {
        counter.portsLost++;
        return undefined;
      }
      await sleep(1);
    }
  }
}

/**
 * Free ports of the ephemeral range with the parity connect() prefers (Linux gives bind(0),
 * hence get-port, the odd ones and outgoing connections the even ones first): what a test
 * picking random ports inside the range, or another allocator's, can get.
 */
async function evenEphemeralPorts(count) {
  const list = new Set();
  while (list.size < count) {
    const port = (await getPort()) + 1;
    if (port % 2 !== 0 || list.has(port)) continue;
    try {
      await close(await listen(port));
      list.add(port);
    } catch {
      // taken: try another
    }
  }
  return [...list];
}

async function restarts({ smoke, print }) {
  // Each round restarts every server: close, a gap of `gapMs` (a real restart's down
  // time, when an outgoing connection can take the port), listen again on the same port.
  const ports = smoke ? 5 : 100;
  const rounds = smoke ? 10 : 100;
  const gapMs = 5;
  const loaders = Array.from({ length: 2 }, () => start(['load', smoke ? '5' : '200', '20']));
  const rows = [];
  try {
    await Promise.all(loaders.map((l) => l.next()));
    for (const lib of ['rebind', 'get-port', 'even ephemeral']) {
      const leases = lib === 'rebind' ? await allocatePorts(ports) : [];
      const list =
        lib === 'rebind'
          ? leases.map((l) => l.port)
          : lib === 'get-port'
            ? await Promise.all(Array.from({ length: ports }, () => getPort()))
            : await evenEphemeralPorts(ports);
      const counter = { lost: 0, portsLost: 0 };
      const samples = [];
      let restarted = 0;
      try {
        const bindAll = (ports) =>
          Promise.all(
            ports.map(async (port) => ({ port, server: await bindRetrying(port, counter) })),
          );
        let live = (await bindAll(list)).filter((entry) => entry.server !== undefined);
        Object.assign(counter, { lost: 0, portsLost: 0 });
        for (let round = 0; round < rounds; round++) {
          const t0 = performance.now();
          await Promise.all(live.map((entry) => close(entry.server)));
          await sleep(gapMs);
          restarted += live.length;
          live = (await bindAll(live.map((entry) => entry.port))).filter(
            (entry) => entry.server !== undefined,
          );
          samples.push(performance.now() - t0);
        }
        await Promise.all(live.map((entry) => close(entry.server)));
      } finally {
        await Promise.all(leases.map((l) => l.release()));
      }
      rows.push({
        name: lib,
        samples,
        restarts: String(restarted),
        'binds lost': String(counter.lost),
        'ports lost': String(counter.portsLost),
      });
    }
  } finally {
    await Promise.all(loaders.map((l) => l.stop()));
  }
  printTable(
    `(c) same-port restarts of Node servers (${ports} ports x ${rounds} rounds, ${gapMs} ms down each) under outgoing-connection load; ms per round`,
    rows,
    { baseline: 'get-port', print, extra: ['restarts', 'binds lost', 'ports lost'] },
  );
}

async function exhaustion({ smoke, print }) {
  // A range above the ephemeral one, used up by another process (Docker publishes random
  // ports up there too: try another block when one is busy).
  const size = smoke ? 20 : 2000;
  let range;
  let holder;
  for (let attempt = 0; ; attempt++) {
    const low = 61000 + Math.floor(Math.random() * (65535 - 61000 - size));
    range = [low, low + size - 1];
    holder = start(['hold-range', String(range[0]), String(range[1])]);
    if ((await holder.next()) === 'ready') break;
    await holder.stop();
    if (attempt === 5) throw new Error('no free block of ports above the ephemeral range');
  }
  const samples = [];
  let message = '';
  try {
    for (let i = 0; i < (smoke ? 3 : 20); i++) {
      const t0 = performance.now();
      try {
        await allocatePort({ range });
      } catch (error) {
        if (error.code !== 'REBIND_PORTS_EXHAUSTED') throw error;
        message = error.message;
      }
      samples.push(performance.now() - t0);
    }
  } finally {
    await holder.stop();
  }
  printTable(
    `(d) time to REBIND_PORTS_EXHAUSTED, ${size}-port range all held`,
    [{ name: 'rebind', samples }],
    { print },
  );
  print(`    ${message}`);
}

export default async function allocatePortBenchmark({ smoke, print }) {
  await concurrentHold({ smoke, print });
  await rate({ smoke, print });
  await restarts({ smoke, print });
  await exhaustion({ smoke, print });
}
