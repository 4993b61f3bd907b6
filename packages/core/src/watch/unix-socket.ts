import { readFileSync, statSync } from 'node:fs';
import net from 'node:net';
import { findSocketHolders, readProcessInfo } from './owners.js';
import type { PortOwner } from './port-report.js';

/** The listening unix socket inodes bound to `path`, from /proc/net/unix (Linux). */
function listeningInodes(path: string): Set<number> {
  const inodes = new Set<number>();
  try {
    for (const line of readFileSync('/proc/net/unix', 'latin1').split('\n')) {
      const fields = line.trim().split(/\s+/);
      // Num RefCount Protocol Flags Type St Inode Path; flag 00010000 = accepting (listening)
      if (fields[7] === path && (parseInt(fields[3] ?? '0', 16) & 0x10000) !== 0) {
        inodes.add(Number(fields[6]));
      }
    }
  } catch {
    // not Linux
  }
  return inodes;
}

/**
 * Whether a unix socket file has a server behind it: `listening` (a connect succeeds),
 * `stale` (the file is there, nothing accepts: a killed server's leftover) or `missing`.
 */
export async function unixSocketState(
  path: string,
): Promise<{ state: 'listening' | 'stale' | 'missing'; owner?: PortOwner }> {
  try {
    statSync(path);
  } catch {
    return { state: 'missing' };
  }
  const accepted = await new Promise<boolean>((resolve) => {
    const socket = net.connect({ path });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
  if (!accepted) return { state: 'stale' };
  const { holders } = findSocketHolders(listeningInodes(path));
  const pid = [...holders.values()][0]?.[0];
  const info = pid === undefined ? undefined : readProcessInfo(pid);
  return info ? { state: 'listening', owner: { known: true, ...info } } : { state: 'listening' };
}
