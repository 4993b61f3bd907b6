// One process of the allocate-port benchmark: `node allocate-port-child.js <mode> <lib> ...`.
// hold <lib> <count>: waits for "go" on stdin, allocates <count> ports, keeps them (rebind:
//   the leases; the peers: their own in-process locks), prints {ports, samples}, and holds
//   until stdin closes.
// rate <lib> <count> <deadlineMs>: allocates <count> ports one after another, holding them,
//   printing {samples} (ms per call) every 100 calls, then {samples, done}; stops early at
//   the deadline (get-port stalls).
// hold-range <low> <high>: leases every port of the range, prints "ready", holds them.
// load <concurrency> <holdMs>: opens outgoing loopback connections without pause (each kept
//   <holdMs>), taking local ports from the ephemeral range, until stdin closes.
import net from 'node:net';
import { createInterface } from 'node:readline';
import { allocatePort, allocatePorts } from '@rebind/core';
import getPort from 'get-port';
import portfinder from 'portfinder';

const [mode, ...args] = process.argv.slice(2);
const leases = [];

const allocators = {
  rebind: async () => {
    const lease = await allocatePort();
    leases.push(lease);
    return lease.port;
  },
  'get-port': () => getPort(),
  portfinder: () => portfinder.getPortPromise(),
};

async function allocateMany(lib, count, deadlineMs = Infinity) {
  const allocate = allocators[lib];
  const ports = [];
  const samples = [];
  const deadline = performance.now() + deadlineMs;
  for (let i = 0; i < count && performance.now() < deadline; i++) {
    const t0 = performance.now();
    ports.push(await allocate());
    samples.push(performance.now() - t0);
  }
  return { ports, samples };
}

const lines = createInterface({ input: process.stdin });
const closed = new Promise((resolve) => lines.once('close', resolve));

if (mode === 'hold') {
  const [lib, count] = [args[0], Number(args[1])];
  await new Promise((resolve) => lines.once('line', resolve));
  process.stdout.write(`${JSON.stringify(await allocateMany(lib, count))}\n`);
  await closed;
} else if (mode === 'rate') {
  // Reports every 100 calls: a stalled peer may never return from a call (get-port spins
  // in one call once its ~7,000 bind(0) ports are all locked) or run out of memory.
  const [lib, count, deadlineMs] = [args[0], Number(args[1]), Number(args[2])];
  const allocate = allocators[lib];
  const deadline = performance.now() + deadlineMs;
  let chunk = [];
  for (let i = 0; i < count && performance.now() < deadline; i++) {
    const t0 = performance.now();
    await allocate();
    chunk.push(performance.now() - t0);
    if (chunk.length === 100) {
      process.stdout.write(`${JSON.stringify({ samples: chunk })}\n`);
      chunk = [];
    }
  }
  process.stdout.write(`${JSON.stringify({ samples: chunk, done: true })}\n`);
  process.exit(0);
} else if (mode === 'hold-range') {
  const [low, high] = args.map(Number);
  try {
    leases.push(...(await allocatePorts(high - low + 1, { range: [low, high] })));
    process.stdout.write('ready\n');
  } catch (error) {
    process.stdout.write(`${error.message}\n`);
  }
  await closed;
} else if (mode === 'load') {
  const [concurrency, holdMs] = [Number(args[0]), Number(args[1])];
  const sink = net.createServer((socket) => socket.on('error', () => {}));
  await new Promise((resolve) => sink.listen(0, '127.0.0.1', resolve));
  const { port } = sink.address();
  let running = true;
  let opened = 0;
  const loop = () => {
    if (!running) return;
    const socket = net.connect(port, '127.0.0.1');
    socket.on('error', () => {});
    socket.on('connect', () => {
      opened++;
      setTimeout(() => socket.destroy(), holdMs);
    });
    socket.on('close', loop);
  };
  for (let i = 0; i < concurrency; i++) loop();
  process.stdout.write('ready\n');
  await closed;
  running = false;
  sink.close();
  process.stdout.write(`${JSON.stringify({ opened })}\n`);
  process.exit(0);
}
