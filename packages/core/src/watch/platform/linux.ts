import { readFileSync } from 'node:fs';
import { findContainerByPublishedPort } from '../docker-engine.js';
import { findSocketHolders, parseDockerProxyArgs, readProcessInfo, userName } from '../owners.js';
import type { PortOwner, PortSocket } from '../port-report.js';
import { parseProcNetTcp } from '../../proc/proc-net.js';
import { parseSs } from '../ss.js';
import { sockDiagSockets } from './sock-diag.js';
import type { PlatformBackend, PlatformFacts } from './backend.js';
import { runOnce } from '../../proc/run-command.js';

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
 * The sockets on `port` from `ss -Htane 'sport = :P'`: sock_diag filters in the kernel, and
 * ss also tells v6-only from dual-stack listeners. Undefined when ss is not installed.
 */
function ssSockets(port: number): Promise<PortSocket[] | undefined> {
  if (ssMissing) return Promise.resolve(undefined);
  return runOnce('ss', ['-Htane', `sport = :${port}`], { maxBuffer: 1 << 24 }).then((result) => {
    if (result.errno === 'ENOENT') ssMissing = true;
    return result.failed ? undefined : parseSs(result.stdout, port);
  });
}

/**
 * The sockets on `port`, from the cheapest source that works here (measured in
 * FIELD-NOTES and `node bench/run.js inspect-port`): sock_diag through the resident helper
 * (~1 ms), else one `ss` spawn (~4-6 ms), else /proc/net/tcp and tcp6 (~3.5 ms each even
 * when empty: the kernel walks the whole established hash). `REBIND_SOCKET_TABLE=ss` or
 * `=proc` forces a source.
 */
export async function kernelSockets(port: number): Promise<PortSocket[]> {
  const forced = process.env.REBIND_SOCKET_TABLE;
  if (forced !== 'proc' && forced !== 'ss') {
    const sockets = await sockDiagSockets(port);
    if (sockets !== undefined) return sockets;
  }
  if (forced !== 'proc') {
    const sockets = await ssSockets(port);
    if (sockets !== undefined) return sockets;
  }
  return procSockets(port);
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
  listSockets: kernelSockets,
  findOwners(sockets, { docker, pids }) {
    const held = sockets.filter((s) => (s.inode ?? 0) > 0); // TIME_WAIT has no holder
    const inodes = new Set(held.map((s) => s.inode ?? 0));
    const uids = new Set(held.map((s) => s.uid ?? 0));
    const { holders, denied } = findSocketHolders(inodes, pids, '/proc', uids);
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
