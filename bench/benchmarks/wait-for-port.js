// waitForPort detection latency: from the event (a listener's process is SIGKILLed; a
// child calls listen()) to the promise resolving, median and p95; the TIME_WAIT sockets
// left with the watched port as local or remote port; and the CPU waitForPort used while
// waiting, as % of one core (process.cpuUsage over an idle wait of known length).
// Child listen times come from process.hrtime (CLOCK_MONOTONIC, shared by processes), taken
// right after the child's listen() call returns (the syscall has happened by then). The
// rows in parentheses are references measured in the same run: the child's 'exit' event
// in the parent after the SIGKILL (its own time, not awaited after the waiter), and the
// child's own listen callback; they show how much of a latency is the kernel's and the
// scheduler's rather than the waiter's.
import { execFileSync, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { waitForPort } from '@rebind/core';
import { median, p95, printTable } from '../lib/stats.js';

const child = `
const net = require('node:net');
const port = Number(process.argv[1]);
const server = net.createServer((s) => s.on('error', () => {}));
// No host: Node binds and listens on [::] (dual-stack) synchronously inside listen(), so the
// time taken right after the call is just after the listen() syscall.
const go = () => { server.once('listening', () => process.stdout.write(t + ' ' + process.hrtime.bigint() + '\\n')); server.listen(port); const t = process.hrtime.bigint(); };
if (process.argv[2] === 'now') go(); else process.stdin.once('data', go);
`;

function startChild(port, mode) {
  const proc = spawn(process.execPath, ['-e', child, String(port), mode], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const listened = new Promise((resolve) => {
    proc.stdout.once('data', (d) => resolve(String(d).trim().split(' ').map(BigInt)));
  });
  const exited = new Promise((resolve) =>
    proc.once('exit', () => resolve(process.hrtime.bigint())),
  );
  return { proc, listened, exited };
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const ms = (from, to) => Number(to - from) / 1e6;

async function freePort() {
  const s = createServer();
  await new Promise((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address();
  await new Promise((r) => s.close(r));
  return port;
}

function timeWaits(port) {
  const out = (filter) =>
    execFileSync('ss', ['-Htan', 'state', 'time-wait', filter], { encoding: 'utf8' })
      .split('\n')
      .filter(Boolean).length;
  return { local: out(`sport = :${port}`), remote: out(`dport = :${port}`) };
}

export default async function waitForPortBenchmark({ smoke, print }) {
  const n = smoke ? 3 : 100;
  const port = await freePort();
  const free = [];
  const listening = [];
  const listeningPid = [];
  const exitEvent = [];
  const listenCallback = [];
  for (let i = 0; i < n; i++) {
    // free: SIGKILL the listener's process
    const a = startChild(port, 'now');
    await a.listened;
    const waitFree = waitForPort(port, { until: 'free', timeout: 10_000 });
    await sleep(10);
    const t0 = process.hrtime.bigint();
    a.proc.kill('SIGKILL');
    await waitFree;
    free.push(ms(t0, process.hrtime.bigint()));
    exitEvent.push(ms(t0, await a.exited));
    // listening, any listener, then by pid
    for (const [rows, byPid] of [
      [listening, false],
      [listeningPid, true],
    ]) {
      const b = startChild(port, 'wait');
      const waiting = waitForPort(port, {
        until: 'listening',
        timeout: 10_000,
        ...(byPid ? { pid: b.proc.pid } : {}),
      });
      await sleep(20);
      b.proc.stdin.write('go\n');
      await waiting;
      const t1 = process.hrtime.bigint();
      const [called, callback] = await b.listened;
      rows.push(ms(called, t1));
      if (!byPid) listenCallback.push(ms(called, callback));
      b.proc.kill('SIGKILL');
      await b.exited;
      await waitForPort(port, { until: 'free', timeout: 10_000 });
    }
  }
  // CPU while waiting for a port that never changes (listening wait on a free port)
  const idle = smoke ? 200 : 2000;
  const cpu = {};
  for (const [name, options] of [
    ['free', { until: 'free' }],
    ['listening', { until: 'listening' }],
    ['listening, pid', { until: 'listening', pid: process.pid }],
  ]) {
    const holder = name === 'free' ? createServer() : undefined;
    if (holder) await new Promise((r) => holder.listen(port, '127.0.0.1', r));
    const c0 = process.cpuUsage();
    const w0 = performance.now();
    await waitForPort(port, { ...options, timeout: idle }).catch(() => {});
    const used = process.cpuUsage(c0);
    cpu[name] = ((used.user + used.system) / 1000 / (performance.now() - w0)) * 100;
    if (holder) await new Promise((r) => holder.close(r));
  }
  const tw = timeWaits(port);
  const rows = [
    { name: 'free after SIGKILL', samples: free, cpu: cpu.free },
    { name: "(child 'exit' event)", samples: exitEvent },
    { name: 'listening after listen()', samples: listening, cpu: cpu.listening },
    { name: "(child's own 'listening' event)", samples: listenCallback },
    { name: 'listening by pid', samples: listeningPid, cpu: cpu['listening, pid'] },
  ];
  const table = printTable('waitForPort detection latency (event to resolution)', rows, {
    print,
    extra: ['cpu'],
  });
  print(
    `cpu = % of one core while waiting ${idle} ms for a change that never comes; ` +
      `TIME_WAIT left with port ${port}: ${tw.local} as local port, ${tw.remote} as remote port ` +
      `(goals: median <= 2 ms, 0 TIME_WAIT, <= 10 % CPU); medians ${rows.map((r) => median(r.samples).toFixed(2)).join(' / ')}, p95 ${rows.map((r) => p95(r.samples).toFixed(2)).join(' / ')}`,
  );
  return table;
}
