import { randomInt } from 'node:crypto';
import { defaultLeaseHosts, defaultProbeHosts, resolveHosts } from './lease-hosts.js';
import { canBindWhy } from '../net/probe.js';
import { cooling, coolDown } from './cool-down.js';
import { RebindError } from '../errors.js';
import { createLogger } from '../logger.js';
import { Lease, type PortLease } from './port-lease.js';
import { lockHolders, tryLock, type PortLock } from './port-lock.js';
import { defaultRange, validateRange, type PortRange } from './port-range.js';
import { PortUsage, readUdpTable, tcpBusy, type UsageSnapshot } from './port-usage.js';
import { invalidOption, throwIfAborted, validateSignal } from '../validate.js';

export interface AllocatePortOptions {
  /**
   * The address the server will bind; the port must be free there. `localhost` means
   * 127.0.0.1 and ::1.
   * @default every address (the dual-stack wildcard `::`, or `0.0.0.0` without IPv6)
   */
  readonly host?: string;
  /** Several addresses the server may bind; the port must be free on each. */
  readonly hosts?: readonly string[];
  /**
   * The inclusive `[low, high]` range to take ports from.
   * @default below the machine's ephemeral range (read at run time, e.g. [10000, 32767]
   * on Linux's default 32768-60999)
   */
  readonly range?: PortRange;
  /**
   * Allow a `range` below 1024: the server will run as root or with CAP_NET_BIND_SERVICE.
   * Without it such a range is refused, since no unprivileged server could bind the ports.
   * @default false
   */
  readonly privileged?: boolean;
  /** Ports never to hand out. */
  readonly exclude?: Iterable<number>;
  /**
   * Accept a port whose only sockets are in TIME_WAIT: right for servers that set
   * SO_REUSEADDR (Node, Go, Java, nginx), wrong for Python's socketserver and raw C.
   * @default false
   */
  readonly acceptTimeWait?: boolean;
  /** Aborts the search with `REBIND_ABORTED`. */
  readonly signal?: AbortSignal;
}

const log = createLogger('allocate');
const usage = new PortUsage();
/** Ports leased by this process (and ports being claimed right now). */
const held = new Set<number>();
/** Per range, where this process's next scan starts: random, to keep processes apart. */
const cursors = new Map<string, number>();

interface Request {
  readonly range: PortRange;
  readonly exclude: ReadonlySet<number>;
  readonly probeHosts: readonly string[] | undefined;
  readonly acceptTimeWait: boolean;
  readonly signal: AbortSignal | undefined;
}

async function validate(options: AllocatePortOptions): Promise<Request> {
  if (typeof options !== 'object' || options === null) {
    throw invalidOption('options', 'an object', options);
  }
  const signal = validateSignal(options.signal);
  const probeHosts = resolveHosts(options.host, options.hosts);
  const exclude = new Set<number>();
  if (options.exclude !== undefined) {
    const list: unknown = options.exclude;
    if (typeof list !== 'object' || list === null || !(Symbol.iterator in list)) {
      throw invalidOption('exclude', 'an iterable of port numbers', list);
    }
    for (const port of list as Iterable<unknown>) {
      if (typeof port !== 'number' || !Number.isInteger(port)) {
        throw invalidOption('exclude', 'an iterable of integer port numbers', options.exclude);
      }
      exclude.add(port);
    }
  }
  const { acceptTimeWait = false } = options;
  if (typeof acceptTimeWait !== 'boolean') {
    throw invalidOption('acceptTimeWait', 'a boolean', acceptTimeWait);
  }
  const { privileged = false } = options;
  if (typeof privileged !== 'boolean') throw invalidOption('privileged', 'a boolean', privileged);
  const range = options.range === undefined ? await defaultRange() : validateRange(options.range);
  if (range[0] < firstUnprivileged && !privileged) {
    throw invalidOption(
      'range',
      `a range from ${firstUnprivileged} up (ports below ${firstUnprivileged} need root or CAP_NET_BIND_SERVICE; pass \`privileged: true\` if the server has them)`,
      options.range,
    );
  }
  return { range, exclude, probeHosts, acceptTimeWait, signal };
}

interface Tally {
  locked: number;
  busy: number;
  /** Ports the kernel refused this process (EACCES): privileged, not held by anyone. */
  refused: number;
}

const firstUnprivileged = 1024;

async function claim(port: number, request: Request, snapshot: UsageSnapshot, tally: Tally) {
  if (request.exclude.has(port) || held.has(port) || cooling.has(port)) return undefined;
  if (tcpBusy(snapshot, port, request.acceptTimeWait)) return void tally.busy++;
  if (snapshot.udp.has(port)) return void tally.locked++;
  held.add(port);
  let lock: PortLock | undefined;
  let free = false;
  try {
    const locked = await tryLock(port);
    if (locked === 'refused') return void tally.refused++;
    lock = locked;
    if (lock === undefined) return void tally.locked++;
    const result = await canBindWhy(port, request.probeHosts ?? defaultProbeHosts());
    free = result === 'ok';
    if (result === 'EACCES') tally.refused++;
    else if (!free) tally.busy++;
  } finally {
    if (!free) {
      lock?.close();
      held.delete(port);
    }
  }
  return free ? lock : undefined;
}

async function allocateOne(request: Request): Promise<PortLease> {
  const [low, high] = request.range;
  const size = high - low + 1;
  const key = `${low}-${high}`;
  const started = performance.now();
  let snapshot = await usage.get();
  let tally: Tally = { locked: 0, busy: 0, refused: 0 };
  for (let pass = 0; pass < 2; pass++) {
    if (pass > 0) {
      // The first pass may have skipped ports released since the last read: read again,
      // only the locks' table if no port was skipped for its TCP sockets (the TCP tables
      // cost 3-5 ms each, more under load).
      snapshot =
        tally.busy === 0 ? { ...snapshot, udp: await readUdpTable() } : await usage.get(true);
      tally = { locked: 0, busy: 0, refused: 0 };
    }
    const start = cursors.get(key) ?? randomInt(size);
    for (let i = 0; i < size; i++) {
      throwIfAborted(request.signal, 'Allocating a port');
      const offset = (start + i) % size;
      const port = low + offset;
      const lock = await claim(port, request, snapshot, tally);
      if (lock === undefined) continue;
      cursors.set(key, (offset + 1) % size);
      const hosts = request.probeHosts ?? defaultLeaseHosts();
      return new Lease(port, hosts, (lease) => {
        held.delete(lease.port);
        coolDown(lease.port, lock, lease.hosts, request.acceptTimeWait, usage);
      });
    }
    if (pass > 0 || snapshot.takenAt >= started) throw exhausted(request, tally, snapshot);
  }
  throw new Error('unreachable');
}

function exhausted(request: Request, tally: Tally, snapshot: UsageSnapshot): RebindError {
  const [low, high] = request.range;
  const inRange = (port: number) => port >= low && port <= high;
  const mine = [...held, ...cooling.keys()].filter(inRange).length;
  const { pids, locked } = lockHolders(snapshot.udp, inRange);
  const holders = new Set(pids);
  if (mine > 0) holders.add(process.pid);
  const heldCount = Math.max(locked, tally.locked + mine);
  const excluded = [...request.exclude].filter(inRange).length;
  const who =
    holders.size > 0
      ? `pid${holders.size > 1 ? 's' : ''} ${[...holders].sort((a, b) => a - b).join(', ')}`
      : 'pids unknown';
  const refused = tally.refused;
  const message =
    `No free port in ${low}-${high} (${high - low + 1} ports): ` +
    `${heldCount} held by rebind leases${heldCount > 0 ? ` (${who})` : ''}, ` +
    `${tally.busy} in use by other sockets, ${excluded} excluded` +
    (refused > 0
      ? `, ${refused} refused by the kernel (EACCES: this process may not bind ports below the unprivileged start, 1024 by default). Run the server as root or grant it CAP_NET_BIND_SERVICE (setcap cap_net_bind_service=+ep <binary>), or use a range from 1024 up.`
      : '. Release leases you no longer need, widen `range`, or end the processes named.');
  log('%s', message);
  return new RebindError('REBIND_PORTS_EXHAUSTED', message, {
    details: {
      range: request.range,
      held: heldCount,
      pids: [...holders],
      busy: tally.busy,
      refused,
      excluded,
    },
  });
}

/**
 * Leases a TCP port that binds now on every address family the server may use, has no
 * socket in any state on it, lies outside the ephemeral range, and that no other process
 * (runner, worker, thread) using rebind holds. Release it with `release()` or `await using`.
 */
export async function allocatePort(options: AllocatePortOptions = {}): Promise<PortLease> {
  return allocateOne(await validate(options));
}

/** Leases `count` distinct ports (see {@link allocatePort}); all or none. */
export async function allocatePorts(
  count: number,
  options: AllocatePortOptions = {},
): Promise<PortLease[]> {
  if (typeof count !== 'number' || !Number.isInteger(count) || count < 1) {
    throw invalidOption('count', 'an integer >= 1', count);
  }
  const request = await validate(options);
  const leases: PortLease[] = [];
  try {
    for (let i = 0; i < count; i++) leases.push(await allocateOne(request));
  } catch (error) {
    await Promise.all(leases.map((lease) => lease.release()));
    throw error;
  }
  return leases;
}
