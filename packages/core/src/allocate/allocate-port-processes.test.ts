// Exclusivity across processes and worker threads, with real sockets: the fixtures run the
// built package (dist/), as another runner would.
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { allocatePort, allocatePorts } from './allocate-port.js';
import type { PortLease } from './port-lease.js';
import { readEphemeralRange, type PortRange } from './port-range.js';
import { eventually } from '../../test/helpers.js';

const fixture = (name: string) => fileURLToPath(new URL(`../../fixtures/${name}`, import.meta.url));
type Holder = ChildProcessByStdio<Writable, Readable, null>;
interface Held {
  readonly pid: number;
  readonly ports?: number[];
  readonly code?: string;
  readonly message?: string;
}

const children: Holder[] = [];
const workers: Worker[] = [];
const leases: PortLease[] = [];
afterEach(async () => {
  for (const child of children.splice(0)) {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await once(child, 'exit');
    }
  }
  await Promise.all(workers.splice(0).map((worker) => worker.terminate()));
  await Promise.all(leases.splice(0).map((lease) => lease.release()));
});

beforeAll(() => {
  if (!existsSync(fixture('../dist/index.js'))) {
    throw new Error('Build @rebind/core first: npm run build -w @rebind/core');
  }
});

/** A plain node process that leases `count` ports of `range` and holds them. */
async function holder(range: PortRange, count: number): Promise<{ child: Holder; held: Held }> {
  const args = [fixture('hold-ports.mjs'), String(range[0]), String(range[1]), String(count)];
  const child = spawn(process.execPath, args, { stdio: ['pipe', 'pipe', 'inherit'] });
  children.push(child);
  const lines = createInterface({ input: child.stdout });
  const [line] = (await once(lines, 'line')) as [string];
  return { child, held: JSON.parse(line) as Held };
}

/** A random block above the ephemeral range (no other suite allocates there). */
async function randomBlock(size: number): Promise<PortRange> {
  const [, high] = await readEphemeralRange();
  const low = randomInt(high + 1, 65536 - size);
  return [low, low + size - 1];
}

function exhaustedMessage(range: PortRange, held: number, pids: number[]): string {
  const [low, high] = range;
  const who = `pid${pids.length > 1 ? 's' : ''} ${[...pids].sort((a, b) => a - b).join(', ')}`;
  return (
    `No free port in ${low}-${high} (${high - low + 1} ports): ${held} held by rebind leases (${who}), ` +
    '0 in use by other sockets, 0 excluded. ' +
    'Release leases you no longer need, widen `range`, or end the processes named.'
  );
}

describe('allocatePort across processes', () => {
  it('gives two runner processes racing for one range disjoint ports, and a SIGKILLed holder’s ports come back', async () => {
    let range: PortRange;
    let a: Awaited<ReturnType<typeof holder>>;
    let b: Awaited<ReturnType<typeof holder>>;
    for (;;) {
      range = await randomBlock(40);
      [a, b] = await Promise.all([holder(range, 20), holder(range, 20)]);
      if (a.held.ports && b.held.ports) break;
      // Something else sits in this block: try another.
      for (const { child } of [a, b]) child.kill('SIGKILL');
    }
    const portsA = a.held.ports ?? [];
    const portsB = b.held.ports ?? [];
    expect(new Set([...portsA, ...portsB]).size).toBe(40);

    // The range is used up: this process is told so, and by whom.
    await expect(allocatePort({ range })).rejects.toMatchObject({
      code: 'REBIND_PORTS_EXHAUSTED',
      message: exhaustedMessage(range, 40, [a.held.pid, b.held.pid]),
    });

    // SIGKILL one holder: the kernel frees its locks, and exactly its ports come back.
    a.child.kill('SIGKILL');
    await once(a.child, 'exit');
    const back = await allocatePorts(20, { range });
    leases.push(...back);
    expect(back.map((l) => l.port).sort()).toEqual([...portsA].sort());
  });

  it('refuses a port held by another runner process until its holder releases it', async () => {
    let first = await holder(await randomBlock(1), 1);
    while (first.held.ports === undefined) first = await holder(await randomBlock(1), 1);
    const { child, held } = first;
    const [port] = held.ports as [number];
    const range: PortRange = [port, port];
    // A second runner process asks for the same range while the first holds it.
    const other = await holder(range, 1);
    expect(other.held).toEqual({
      pid: other.held.pid,
      code: 'REBIND_PORTS_EXHAUSTED',
      message: exhaustedMessage(range, 1, [held.pid]),
    });
    // Released by its holder, the port cools down, then comes back.
    child.stdin.write('release\n');
    const lease = await eventually(() => allocatePort({ range }));
    leases.push(lease);
    expect(lease.port).toBe(port);
  });
});

describe('allocatePort across worker threads', () => {
  it('never gives a port leased in a worker thread to the main thread', async () => {
    let range: PortRange;
    let worker: Worker;
    let held: Held;
    do {
      range = await randomBlock(3);
      worker = new Worker(fixture('hold-ports-worker.mjs'), { workerData: { range, count: 3 } });
      workers.push(worker);
      [held] = (await once(worker, 'message')) as [Held];
    } while (held.ports === undefined);
    await expect(allocatePort({ range })).rejects.toMatchObject({
      code: 'REBIND_PORTS_EXHAUSTED',
      message: exhaustedMessage(range, 3, [process.pid]),
    });
    // A second worker is refused too.
    const second = new Worker(fixture('hold-ports-worker.mjs'), {
      workerData: { range, count: 1 },
    });
    workers.push(second);
    const [refused] = (await once(second, 'message')) as [Held];
    expect(refused.code).toBe('REBIND_PORTS_EXHAUSTED');
    // A terminated worker's locks close with it.
    await worker.terminate();
    const back = await allocatePorts(3, { range });
    leases.push(...back);
    expect(back.map((l) => l.port).sort()).toEqual([...(held.ports ?? [])].sort());
  });
});
