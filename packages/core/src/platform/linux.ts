import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { findContainerByPublishedPort } from '../docker-engine.js';
import {
  fdCount,
  findSocketHolders,
  parseDockerProxyArgs,
  readProcessInfo,
  relativesOf,
  scanSocketInodes,
  userName,
} from '../owners.js';
import type { PortOwner, PortSocket } from '../port-report.js';
import { parseProcNetTcp } from '../proc-net.js';
import { parseSs } from '../ss.js';
import type { PlatformBackend, PlatformFacts } from './backend.js';

function readTable(path: string): string {
  try {
    return readFileSync(path, 'latin1');
  } catch {
    return ''; // no IPv6 in this kernel
  }
}

function readNumbers(path: string): number[] | undefined {
  try {
    return readFileSync(path, 'utf8').trim().split(/\s+/).map(Number);
  } catch {
    return undefined;
  }
}

/** Builds the owner entries for holder pids (and unknown owners by uid). */
export async function ownersFrom(
  sockets: readonly PortSocket[],
  holders: ReadonlyMap<number, readonly number[]>,
  denied: boolean,
  docker: boolean,
  readInfo = readProcessInfo,
): Promise<{ sockets: PortSocket[]; owners: PortOwner[] }> {
  const owners: PortOwner[] = [];
  const seen = new Set<number>();
  const unknownUids = new Set<number>();
  const withPids = sockets.map((socket) => {
    const pids = socket.inode ? holders.get(socket.inode) : undefined;
    if (pids === undefined || pids.length === 0) {
      if (socket.inode && denied && socket.uid !== undefined) unknownUids.add(socket.uid);
      return socket;
    }
    for (const pid of pids) seen.add(pid);
    return { ...socket, pid: pids[0] };
  });
  for (const pid of [...seen].sort((a, b) => a - b)) {
    const info = readInfo(pid);
    if (info === undefined) continue;
    let owner: PortOwner = { known: true, ...info };
    if (info.command === 'docker-proxy') {
      const proxy = parseDockerProxyArgs(info.commandLine);
      if (proxy !== undefined) {
        const { containerIp, containerPort } = proxy;
        owner = { ...owner, proxy: { containerIp, containerPort } };
        const container = docker
          ? await findContainerByPublishedPort(proxy.hostPort, containerIp)
          : undefined;
        if (container !== undefined) {
          owner = { ...owner, container: { ...container, containerIp, containerPort } };
        }
      }
    }
    owners.push(owner);
  }
  for (const uid of unknownUids) owners.push({ known: false, uid, user: userName(uid) });
  return { sockets: withPids, owners };
}

let ssMissing = false;

/**
 * The sockets on `port` from `ss -Htane 'sport = :P'`: sock_diag filters in the kernel, so
 * one spawn (~4 ms) costs less than reading /proc/net/tcp and tcp6 (~3.5 ms each even when
 * empty, ~15 ms at 5,000 sockets), and ss also tells v6-only from dual-stack listeners.
 * Undefined when ss is not installed (then /proc is read).
 */
function ssSockets(port: number): Promise<PortSocket[] | undefined> {
  if (ssMissing || process.env.REBIND_SOCKET_TABLE === 'proc') return Promise.resolve(undefined);
  return new Promise((resolve) => {
    execFile('ss', ['-Htane', `sport = :${port}`], { maxBuffer: 1 << 24 }, (error, stdout) => {
      if (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') ssMissing = true;
        return resolve(undefined);
      }
      resolve(parseSs(stdout, port));
    });
  });
}

/** The sockets on `port` from /proc/net/tcp and tcp6. */
export function procSockets(port: number): PortSocket[] {
  return [
    ...parseProcNetTcp(readTable('/proc/net/tcp'), 4, port),
    ...parseProcNetTcp(readTable('/proc/net/tcp6'), 6, port),
  ];
}

export const linuxBackend: PlatformBackend = {
  platform: 'linux',
  async listSockets(port) {
    return (await ssSockets(port)) ?? procSockets(port);
  },
  findOwners(sockets, { docker, pids }) {
    const inodes = new Set(sockets.map((s) => s.inode ?? 0).filter((i) => i > 0));
    const { holders, denied } = findSocketHolders(inodes, pids);
    return ownersFrom(sockets, holders, denied, docker);
  },
  /**
   * Starts `ss` and, while it runs, reads the fd tables of the newest processes first (a
   * test's server is usually younger than the system's daemons), skipping tables of more
   * than 256 fds and yielding now and then to notice ss's answer. Then only inodes still
   * unaccounted for send the search on (smallest tables first, each read only as far as
   * its first hit), and finally the holders' relatives are read: the processes that can
   * share a socket by inheritance.
   */
  async inspect(port, { docker, pids }) {
    if (pids !== undefined) {
      const sockets = (await ssSockets(port)) ?? procSockets(port);
      return this.findOwners(sockets, { docker, pids });
    }
    let answered = false;
    const pending = ssSockets(port).then((result) => {
      answered = true;
      return result;
    });
    const all = readdirSync('/proc')
      .filter((entry) => /^\d+$/.test(entry))
      .map(Number)
      .sort((a, b) => b - a);
    const prescan = new Map<number, number[]>();
    const scanned = new Set<number>();
    const deferred: number[] = [];
    let denied = false;
    let next = 0;
    for (; next < all.length && !answered; next++) {
      const pid = all[next] as number;
      if (fdCount(pid) > 256) {
        deferred.push(pid);
        continue;
      }
      const result = scanSocketInodes([pid]);
      denied ||= result.denied;
      for (const [inode, holders] of result.inodes) prescan.set(inode, holders);
      scanned.add(pid);
      if (next % 16 === 15) await new Promise((resolve) => setImmediate(resolve));
    }
    const sockets = (await pending) ?? procSockets(port);
    const wanted = new Set(sockets.map((s) => s.inode ?? 0).filter((i) => i > 0));
    const holders = new Map<number, number[]>();
    for (const inode of wanted) {
      const found = prescan.get(inode);
      if (found) holders.set(inode, [...found]);
    }
    const missing = new Set([...wanted].filter((i) => !holders.has(i)));
    if (missing.size > 0) {
      const rest = [...all.slice(next), ...deferred].sort((a, b) => fdCount(a) - fdCount(b));
      const more = findSocketHolders(missing, rest);
      denied ||= more.denied;
      for (const [inode, list] of more.holders) holders.set(inode, list);
    }
    // Relatives of the holders may share the sockets (forked workers, inheriting children).
    const found = new Set([...holders.values()].flat());
    const toRead = [...relativesOf(found)].filter((pid) => !scanned.has(pid) && !found.has(pid));
    if (toRead.length > 0) {
      const extra = findSocketHolders(wanted, toRead);
      for (const [inode, list] of extra.holders) {
        holders.set(inode, [...new Set([...(holders.get(inode) ?? []), ...list])]);
      }
    }
    return ownersFrom(sockets, holders, denied, docker);
  },
  facts(): PlatformFacts {
    const range = readNumbers('/proc/sys/net/ipv4/ip_local_port_range');
    const start = readNumbers('/proc/sys/net/ipv4/ip_unprivileged_port_start')?.[0] ?? 1024;
    return {
      ...(range?.length === 2 ? { ephemeralRange: [range[0] ?? 0, range[1] ?? 0] as const } : {}),
      unprivilegedPortStart: start,
      privileged: process.getuid?.() === 0 || hasNetBindService(),
    };
  },
};

/** CAP_NET_BIND_SERVICE (bit 10) in this process's effective set. */
function hasNetBindService(): boolean {
  try {
    const status = readFileSync('/proc/self/status', 'utf8');
    const hex = /^CapEff:\s*([0-9a-f]+)/m.exec(status)?.[1];
    return hex !== undefined && (BigInt(`0x${hex}`) & (1n << 10n)) !== 0n;
  } catch {
    return false;
  }
}
