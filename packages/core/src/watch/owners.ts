import { readdirSync, readFileSync, readlinkSync, statSync } from 'node:fs';
import { processTree, socketFds } from '../proc/process-tree.js';

/** What /proc says about one process. */
export interface ProcessInfo {
  readonly pid: number;
  readonly parentPid: number;
  readonly command: string;
  readonly commandLine: string;
  readonly uid: number;
  readonly user: string;
}

let users: Map<number, string> | undefined;

/** The user name of `uid` from /etc/passwd, or the number as text. */
export function userName(uid: number, passwd = '/etc/passwd'): string {
  if (users === undefined) {
    users = new Map();
    try {
      for (const line of readFileSync(passwd, 'utf8').split('\n')) {
        const [name, , id] = line.split(':');
        if (name && id !== undefined && !users.has(Number(id))) users.set(Number(id), name);
      }
    } catch {
      // no passwd file: numbers only
    }
  }
  return users.get(uid) ?? String(uid);
}

/** Reads /proc/<pid>; undefined when the process is gone. */
export function readProcessInfo(pid: number, proc = '/proc'): ProcessInfo | undefined {
  try {
    const stat = readFileSync(`${proc}/${pid}/stat`, 'utf8');
    const close = stat.lastIndexOf(')');
    // comm is the main thread's name, which a program may change (Node calls it MainThread):
    // prefer the executable's name when it can be read.
    let command = stat.slice(stat.indexOf('(') + 1, close);
    try {
      command =
        readlinkSync(`${proc}/${pid}/exe`)
          .split('/')
          .pop()
          ?.replace(/ \(deleted\)$/, '') ?? command;
    } catch {
      // another user's process: keep comm
    }
    const parentPid = Number(stat.slice(close + 2).split(' ')[1]);
    const raw = readFileSync(`${proc}/${pid}/cmdline`, 'utf8');
    const commandLine = raw.split('\0').filter(Boolean).join(' ') || `[${command}]`;
    const uid = statSync(`${proc}/${pid}`).uid;
    return { pid, parentPid, command, commandLine, uid, user: userName(uid) };
  } catch {
    return undefined;
  }
}

/** The socket inodes in /proc/<pid>/fd; undefined when not permitted or gone. */
export function socketInodesOf(pid: number, proc = '/proc'): Map<number, number> | undefined {
  const inodes = new Map<number, number>();
  try {
    for (const [inode, fd] of socketFds(pid, proc)) inodes.set(inode, fd);
  } catch {
    return undefined;
  }
  return inodes;
}

export interface SocketHolders {
  /** inode -> pids holding it (a forked child shares its parent's sockets). */
  readonly holders: Map<number, number[]>;
  /** Some processes' fds could not be read (another user's, without root). */
  readonly denied: boolean;
}

/** The number of open fds of `pid` (Linux >= 6.2; else always 0); -1 once it has ended. */
export function fdCount(pid: number, proc = '/proc'): number {
  return fdTable(pid, proc)?.size ?? -1;
}

/**
 * A process's euid and number of open fds, from one stat of /proc/<pid>/fd (the size is
 * the fd count on Linux >= 6.2, else 0); undefined once it has ended.
 */
function fdTable(pid: number, proc: string): { uid: number; size: number } | undefined {
  try {
    const { uid, size } = statSync(`${proc}/${pid}/fd`);
    return { uid, size };
  } catch {
    return undefined;
  }
}

/** Tables larger than this are read after all the smaller ones. */
const BIG_TABLE = 256;

/**
 * The order in which every process's fd table is searched for a socket: processes of the
 * sockets' uids first (the creator usually still holds it), small tables before big ones
 * (a big table that does not hold it costs a full read), newest first (a test's server
 * is young; the system's daemons are old).
 */
function searchOrder(proc: string, uids: ReadonlySet<number> | undefined): number[] {
  const rows: [pid: number, rank: number, size: number][] = [];
  let counted = false;
  for (const entry of readdirSync(proc)) {
    const code = entry.charCodeAt(0);
    if (code < 48 || code > 57) continue;
    const pid = Number(entry);
    const table = fdTable(pid, proc);
    if (table === undefined) continue;
    counted ||= table.size > 0;
    const rank = (uids?.has(table.uid) === false ? 2 : 0) + (table.size > BIG_TABLE ? 1 : 0);
    rows.push([pid, rank, table.size]);
  }
  return (
    rows
      // Where the kernel counts fds (Linux >= 6.2), an empty table (a kernel thread) holds nothing.
      .filter((row) => !counted || row[2] > 0)
      .sort((a, b) => a[1] - b[1] || b[0] - a[0])
      .map(([pid]) => pid)
  );
}

function parentOf(pid: number, proc: string): number | undefined {
  try {
    const stat = readFileSync(`${proc}/${pid}/stat`, 'latin1');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    return undefined;
  }
}

/**
 * Processes that can share a socket with `holders`: sockets are shared by inheritance, so
 * their ancestors and every descendant of their parents (children, siblings).
 */
export function relativesOf(holders: Iterable<number>, proc = '/proc'): Set<number> {
  const related = new Set<number>();
  for (const holder of holders) {
    let pid: number | undefined = holder;
    for (let depth = 0; pid !== undefined && pid > 1 && depth < 64; depth++) {
      related.add(pid);
      pid = parentOf(pid, proc);
    }
    const parent = parentOf(holder, proc);
    for (const member of processTree(parent !== undefined && parent > 1 ? parent : holder)) {
      related.add(member);
    }
  }
  return related;
}

/**
 * Finds which processes hold the socket `inodes` by scanning /proc/<pid>/fd (~4 µs per
 * fd). With `pids`, reads those tables whole (a known process tree). Otherwise it
 * searches every process in {@link searchOrder} (`uids`: the sockets' owners), reads each
 * table from both ends and only until every inode is found, and then reads only the
 * holders' relatives (ancestors, children, siblings): the processes that can share a
 * socket by inheritance. A server with thousands of connections is then read only as far
 * as its listener and newest connections.
 */
export function findSocketHolders(
  inodes: ReadonlySet<number>,
  pids?: Iterable<number>,
  proc = '/proc',
  uids?: ReadonlySet<number>,
): SocketHolders {
  const holders = new Map<number, number[]>();
  let denied = false;
  if (inodes.size === 0) return { holders, denied };
  const exhaustive = pids !== undefined;
  const candidates = pids ?? searchOrder(proc, uids);
  let related: Set<number> | undefined;
  for (const pid of candidates) {
    if (related !== undefined && !related.has(pid)) continue;
    try {
      for (const [inode] of socketFds(pid, proc, exhaustive ? 'table' : 'ends')) {
        if (!inodes.has(inode)) continue;
        addHolder(holders, inode, pid);
        if (!exhaustive && holders.size === inodes.size) break;
      }
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EACCES') denied = true;
      continue;
    }
    if (!exhaustive && related === undefined && holders.size === inodes.size) {
      related = relativesOf(new Set([...holders.values()].flat()), proc);
    }
  }
  return { holders, denied };
}

/** The flags of a docker-proxy command line (`-host-port 8080 -container-ip ...`). */
export function parseDockerProxyArgs(
  commandLine: string,
): { hostIp: string; hostPort: number; containerIp: string; containerPort: number } | undefined {
  const flag = (name: string) =>
    new RegExp(`(?:^|\\s)--?${name}[=\\s](\\S+)`).exec(commandLine)?.[1];
  const hostPort = flag('host-port');
  const containerIp = flag('container-ip');
  const containerPort = flag('container-port');
  if (hostPort === undefined || containerIp === undefined || containerPort === undefined) {
    return undefined;
  }
  return {
    hostIp: flag('host-ip') ?? '0.0.0.0',
    hostPort: Number(hostPort),
    containerIp,
    containerPort: Number(containerPort),
  };
}

function addHolder(holders: Map<number, number[]>, inode: number, pid: number): void {
  const list = holders.get(inode);
  if (list === undefined) holders.set(inode, [pid]);
  else if (!list.includes(pid)) list.push(pid);
}
