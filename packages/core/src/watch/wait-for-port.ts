import { closeSync, openSync, readFileSync, readlinkSync, readSync } from 'node:fs';
import net from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { RebindError } from '../errors.js';
import { conflicts } from './explain.js';
import { inspectWith, validateHost } from './inspect-port.js';
import { fdCount, findSocketHolders, socketInodesOf } from './owners.js';
import { processTree } from '../proc/process-tree.js';
import { loadBackend } from './platform/index.js';
import type { PlatformBackend } from './platform/backend.js';
import type { PortSocket } from './port-report.js';
import { bindProbeSync, connectProbe } from '../net/probe.js';
import {
  invalidOption,
  throwIfAborted,
  validatePort,
  validateSignal,
  validateTimeout,
} from '../validate.js';
import { anyValue, type Schema } from '../options/rules.js';
import { validateOptions } from '../options/validate-options.js';
import { activeHandles } from '../node-internals.js';

export interface WaitForPortOptions {
  /**
   * `'free'`: a server (one that sets SO_REUSEADDR, as Node and nginx do) could bind the
   * port now: nothing listens on it. `'listening'`: something listens on it; with `pid`,
   * a process of that tree does, so a lingering old instance never satisfies it.
   */
  readonly until: 'free' | 'listening';
  /** With `until: 'listening'`: the listener must be this process or one of its descendants. */
  readonly pid?: number;
  /** The address the server binds. Default: any (both wildcards for `'free'`). */
  readonly host?: string;
  /** Milliseconds before rejecting with `REBIND_WAIT_TIMEOUT`. @default 10000 */
  readonly timeout?: number;
  readonly signal?: AbortSignal;
  /** The OS back end. @default process.platform */
  readonly platform?: string;
  /**
   * How a connect probe that got an answer (for `'listening'`) is closed. `'reset'` (RST)
   * leaves no TIME_WAIT anywhere, but a Node `net` server whose accepted sockets have no
   * `'error'` listener throws ECONNRESET on it (http servers handle it). `'graceful'` (FIN)
   * leaves one TIME_WAIT on the probe's ephemeral port (remote port = `port`) instead.
   * A listener of this very process is always probed gracefully.
   * @default 'reset'
   */
  readonly probeClose?: 'reset' | 'graceful';
}

const absent = new Set(['ok', 'EAFNOSUPPORT', 'EPROTONOSUPPORT']);

/**
 * The `TCP: inuse` and `TCP6: inuse` counts of /proc/net/sockstat{,6}: the TCP sockets
 * hashed in this network namespace, per family. A listen() raises one of them. The files
 * stay open during the wait and are re-read with pread (~3 µs each).
 */
function sockstatReader(): { read(): [number, number]; close(): void } {
  const buffer = Buffer.alloc(1024);
  const open = (path: string) => {
    try {
      return openSync(path, 'r');
    } catch {
      return -1;
    }
  };
  const fds = [open('/proc/net/sockstat'), open('/proc/net/sockstat6')];
  const count = (fd: number, label: string) => {
    if (fd < 0) return -1;
    try {
      const n = readSync(fd, buffer, 0, buffer.length, 0);
      const text = buffer.toString('latin1', 0, n);
      const at = text.indexOf(label);
      return at < 0 ? -1 : parseInt(text.slice(at + label.length, at + label.length + 12), 10);
    } catch {
      return -1;
    }
  };
  return {
    read: () => [count(fds[0] ?? -1, 'TCP: inuse '), count(fds[1] ?? -1, 'TCP6: inuse ')],
    close: () => {
      for (const fd of fds) if (fd >= 0) closeSync(fd);
    },
  };
}

/**
 * Whether this process itself listens on `port` with a net.Server: its accepted sockets may
 * lack an 'error' listener, and an RST would then throw ECONNRESET in the caller's process.
 */
function ownListener(port: number): boolean {
  return activeHandles().some((h) => {
    if (!(h instanceof net.Server) || !h.listening) return false;
    const address = h.address();
    return typeof address === 'object' && address !== null && address.port === port;
  });
}

/** Loopback addresses a connect probe can reach for a listener on `host`. */
function connectTargets(host?: string): string[] {
  if (host === undefined) return ['127.0.0.1', '::1'];
  if (host === '0.0.0.0') return ['127.0.0.1'];
  if (host === '::') return ['::1', '127.0.0.1'];
  return [host];
}

// Each option is checked below, where it is read.
const schema: Schema = {
  until: anyValue,
  pid: anyValue,
  host: anyValue,
  timeout: anyValue,
  signal: anyValue,
  platform: anyValue,
  probeClose: anyValue,
};

/**
 * Resolves as soon as `port` is free or listening (see {@link WaitForPortOptions.until}).
 * On Linux it polls every millisecond with probes that cost microseconds: a bind probe that
 * never listens (for `'free'`), a change in /proc/net/sockstat then an RST-closed connect
 * probe (for `'listening'`, which must not bind-probe a starting server), and with `pid` the
 * fd tables of that process tree. It reads the socket tables only to settle doubt.
 * Rejects with `REBIND_WAIT_TIMEOUT` naming what held the port at the end.
 */
export async function waitForPort(port: number, options: WaitForPortOptions): Promise<void> {
  validatePort(port);
  validateOptions(
    options,
    schema,
    { path: '', owner: 'waitForPort' },
    "an object such as `{ until: 'free' }`",
  );
  const { until } = options;
  if (until !== 'free' && until !== 'listening') {
    throw invalidOption('until', "`'free'` or `'listening'`", until);
  }
  const pid = options.pid;
  if (pid !== undefined && (typeof pid !== 'number' || !Number.isInteger(pid) || pid < 1)) {
    throw invalidOption('pid', 'a positive integer', pid);
  }
  const host = validateHost(options.host);
  const timeout = validateTimeout(options.timeout ?? 10_000);
  const signal = validateSignal(options.signal);
  const close = options.probeClose ?? 'reset';
  if (close !== 'reset' && close !== 'graceful') {
    throw invalidOption('probeClose', "`'reset'` or `'graceful'`", close);
  }
  const backend = await loadBackend(options.platform);
  const deadline = performance.now() + timeout;
  const what = `waitForPort(${port}, { until: '${until}' })`;
  const disposers: (() => void)[] = [];
  const watcher =
    backend.platform === 'linux' && bindProbeSync('127.0.0.1', 0) !== undefined
      ? until === 'free'
        ? freeWatcher(backend, port, host)
        : await listeningWatcher(backend, port, host, pid, close, disposers)
      : slowWatcher(backend, port, until, host, pid);
  try {
    for (;;) {
      throwIfAborted(signal, what);
      if (await watcher()) return;
      if (performance.now() >= deadline) break;
      await sleep(1);
    }
  } finally {
    for (const dispose of disposers) dispose();
  }
  const report = await inspectWith(backend, port, { host, owners: true, docker: true });
  const by = pid === undefined ? '' : ` by pid ${pid} or its descendants`;
  const gone =
    pid !== undefined && processTree(pid).length === 0 ? ` pid ${pid} is not running.` : '';
  throw new RebindError(
    'REBIND_WAIT_TIMEOUT',
    `Port ${port} was not ${until === 'free' ? 'free' : `listening${by}`} after ${timeout} ms.${gone} ${report.explanation}`,
    { details: { port, until, timeout, pid, verdict: report.verdict } },
  );
}

type Watcher = () => boolean | Promise<boolean>;

function freeWatcher(backend: PlatformBackend, port: number, host?: string): Watcher {
  const addresses = host === undefined ? ['0.0.0.0', '::'] : [host];
  let lastTable = 0;
  return async () => {
    const results = addresses.map((a) => bindProbeSync(a, port) ?? 'ok');
    if (results.every((r) => absent.has(r))) return true;
    // A privileged port (EACCES without root) cannot be probed: ask the table, every 20 ms.
    if (!results.every((r) => absent.has(r) || r === 'EACCES')) return false;
    if (performance.now() - lastTable < 20) return false;
    lastTable = performance.now();
    const sockets = await backend.listSockets(port);
    return !sockets.some((s) => s.state === 'LISTEN' && conflicts(s, host));
  };
}

type ListensNow = (tree?: readonly number[]) => Promise<{ ours: boolean; foreign: PortSocket[] }>;

/** What both listening watchers share: the sockstat counts, probe targets and table reads. */
interface ListenContext {
  readonly backend: PlatformBackend;
  readonly port: number;
  readonly host: string | undefined;
  readonly counts: ReturnType<typeof sockstatReader>;
  readonly targets: readonly string[];
  readonly listensNow: ListensNow;
  readonly probe: (target: string) => Promise<boolean>;
}

async function listeningWatcher(
  backend: PlatformBackend,
  port: number,
  host: string | undefined,
  pid: number | undefined,
  close: 'reset' | 'graceful',
  disposers: (() => void)[],
): Promise<Watcher> {
  const counts = sockstatReader();
  disposers.push(counts.close);
  const listensNow: ListensNow = async (tree) => {
    const sockets = (await backend.listSockets(port)).filter(
      (s) => s.state === 'LISTEN' && conflicts(s, host),
    );
    if (tree === undefined) return { ours: sockets.length > 0, foreign: sockets };
    const inodes = new Set(sockets.map((s) => s.inode ?? 0));
    const { holders } = findSocketHolders(inodes, tree);
    return {
      ours: sockets.some((s) => holders.has(s.inode ?? 0)),
      foreign: sockets.filter((s) => !holders.has(s.inode ?? 0)),
    };
  };
  const closeFor = (p: number) => (ownListener(p) ? 'graceful' : close);
  const context: ListenContext = {
    backend,
    port,
    host,
    counts,
    targets: connectTargets(host),
    listensNow,
    probe: (target) => connectProbe(target, port, 250, closeFor(port)),
  };
  return pid === undefined ? anyListenerWatcher(context) : treeListenerWatcher(context, pid);
}

/** Without pid: any listener on the port; probes when the kernel's socket counts move. */
function anyListenerWatcher({ host, counts, targets, listensNow, probe }: ListenContext): Watcher {
  let last4 = -2;
  let last6 = -2;
  let lastProbe = 0;
  let lastTable = 0;
  return async () => {
    const now = performance.now();
    // On a busy machine the counts move all the time: probe at most every 2 ms then.
    if (now - lastProbe < 2) return false;
    const [v4, v6] = counts.read();
    const changed4 = v4 !== last4 || v4 < 0;
    const changed6 = v6 !== last6 || v6 < 0;
    last4 = v4;
    last6 = v6;
    const periodic = now - lastProbe >= 25;
    if (!changed4 && !changed6 && !periodic) return false;
    lastProbe = now;
    // A new IPv4 or dual-stack listener moves TCP (127.0.0.1 reaches both), a new IPv6
    // one moves TCP6 (::1 reaches it): probe only the family that moved.
    const chosen =
      host !== undefined || periodic
        ? targets
        : targets.filter((t) => (t.includes(':') ? changed6 : changed4));
    const answers = await Promise.all(chosen.map(probe));
    if (answers.some(Boolean)) return true;
    if (now - lastTable < 100) return false;
    lastTable = now;
    return (await listensNow()).ours;
  };
}

/** Whether the listeners seen at the start (a lingering old instance) still hold their sockets. */
function foreignAliveCheck(foreignSockets: readonly PortSocket[]): () => boolean {
  const { holders } = findSocketHolders(new Set(foreignSockets.map((s) => s.inode ?? 0)));
  const foreign = [...holders].flatMap(([inode, pids]) =>
    pids.flatMap((p) => {
      const fd = socketInodesOf(p)?.get(inode);
      return fd === undefined ? [] : [{ path: `/proc/${p}/fd/${fd}`, link: `socket:[${inode}]` }];
    }),
  );
  return () =>
    foreign.some(({ path, link }) => {
      try {
        return readlinkSync(path) === link;
      } catch {
        return false;
      }
    });
}

/** The process tree of `pid`, and whether it holds a socket it did not hold at the start. */
class TreeSockets {
  tree: number[];
  newSockets = false;
  readonly #known = new Set<number>();
  readonly #fdCounts = new Map<number, number>();
  #lastTree = performance.now();
  #lastChildren = this.#lastTree;

  constructor(readonly pid: number) {
    this.tree = processTree(pid);
    for (const member of this.tree)
      for (const inode of socketInodesOf(member)?.keys() ?? []) this.#known.add(inode);
    for (const member of this.tree) this.#fdCounts.set(member, fdCount(member));
  }

  refresh(now: number): void {
    if (now - this.#lastTree >= 50) {
      this.tree = processTree(this.pid);
      this.#lastTree = now;
      this.#lastChildren = now;
    } else if (now - this.#lastChildren >= 10) {
      // New children are rare and a child that listens is seen within 10 ms; reading every
      // member's children file on every 1 ms tick cost more CPU than the rest of the wait.
      this.#lastChildren = now;
      for (const member of [...this.tree]) {
        try {
          const children = readFileSync(`/proc/${member}/task/${member}/children`, 'latin1');
          for (const child of children.split(' ')) {
            const c = Number(child);
            if (c > 0 && !this.tree.includes(c)) this.tree.push(c);
          }
        } catch {
          // exited
        }
      }
    }
  }

  /** Whether a member's fd count moved (then new sockets are looked for). */
  fdsChanged(): boolean {
    let changed = false;
    for (const member of this.tree) {
      const count = fdCount(member);
      if (this.#fdCounts.get(member) !== count) {
        this.#fdCounts.set(member, count);
        changed = true;
      }
    }
    if (!changed) return false;
    for (const member of this.tree) {
      for (const inode of socketInodesOf(member)?.keys() ?? []) {
        if (!this.#known.has(inode)) {
          this.#known.add(inode);
          this.newSockets = true;
        }
      }
    }
    return true;
  }
}

/** With pid: a listener held by the process tree (not a lingering old instance's). */
async function treeListenerWatcher(context: ListenContext, pid: number): Promise<Watcher> {
  const { counts, targets, listensNow, probe } = context;
  const sockets = new TreeSockets(pid);
  const start = await listensNow(sockets.tree);
  if (start.ours) return () => true;
  const foreignAlive = foreignAliveCheck(start.foreign);
  let last4 = -2;
  let last6 = -2;
  let lastProbe = 0;
  let lastTable = 0;
  return async () => {
    const now = performance.now();
    sockets.refresh(now);
    const changed = sockets.fdsChanged();
    if (!changed && now - lastProbe < 2) return false;
    const [v4, v6] = counts.read();
    const statChanged = v4 !== last4 || v6 !== last6 || v4 < 0;
    last4 = v4;
    last6 = v6;
    if (!sockets.newSockets) {
      // Nothing new in the tree: only a socket it already held could start listening
      // (rare): settle that with the table every 250 ms, without probing anyone.
      if (now - lastTable < 250) return false;
      lastTable = now;
      return (await listensNow(sockets.tree)).ours;
    }
    if (!changed && !statChanged && now - lastProbe < 25) return false;
    lastProbe = now;
    const accepted = (await Promise.all(targets.map(probe))).some(Boolean);
    // Fast path: a listener answers, the tree holds a socket it did not hold at the start,
    // and every listener seen at the start (a lingering old instance) is gone.
    if (accepted && !foreignAlive()) return true;
    // Otherwise settle it with the socket table, at most every 20 ms (50 ms without an answer).
    if (now - lastTable < (accepted ? 20 : 50)) return false;
    lastTable = now;
    return (await listensNow(sockets.tree)).ours;
  };
}

/** Other platforms: the socket table (and a bind probe for 'free') every 50 ms. */
function slowWatcher(
  backend: PlatformBackend,
  port: number,
  until: 'free' | 'listening',
  host: string | undefined,
  pid: number | undefined,
): Watcher {
  let last = 0;
  return async () => {
    if (performance.now() - last < 50) return false;
    last = performance.now();
    const listeners = (await backend.listSockets(port)).filter(
      (s) => s.state === 'LISTEN' && conflicts(s, host),
    );
    if (until === 'free') return listeners.length === 0;
    if (pid === undefined) return listeners.length > 0;
    const { sockets, owners } = await backend.findOwners(listeners, { docker: false });
    const tree = new Set([pid]);
    for (const o of owners)
      if (o.parentPid !== undefined && tree.has(o.parentPid) && o.pid) tree.add(o.pid);
    return sockets.some((s) => s.pid !== undefined && tree.has(s.pid));
  };
}
