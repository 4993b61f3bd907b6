import { readdirSync, readFileSync } from 'node:fs';

export interface ProcessRow {
  readonly pid: number;
  readonly ppid: number;
  /** The process group: rebind starts each server as the leader of its own. */
  readonly pgid: number;
  readonly args: string;
}

/** Every process visible in /proc, with its parent and command line. */
export function listProcesses(): ProcessRow[] {
  const rows: ProcessRow[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const [, ppid, pgid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const args = readFileSync(`/proc/${entry}/cmdline`, 'utf8')
        .split('\0')
        .filter(Boolean)
        .join(' ');
      rows.push({ pid: Number(entry), ppid: Number(ppid), pgid: Number(pgid), args });
    } catch {
      // the process ended while we looked
    }
  }
  return rows;
}

/** All descendants of `pid` (children, grandchildren...). */
export function descendantsOf(pid: number, rows = listProcesses()): ProcessRow[] {
  const found: ProcessRow[] = [];
  const queue = [pid];
  while (queue.length > 0) {
    const parent = queue.shift();
    for (const row of rows) {
      if (row.ppid === parent) {
        found.push(row);
        queue.push(row.pid);
      }
    }
  }
  return found;
}

/** nginx masters whose command line mentions `prefix` (a test's private prefix dir). */
export function nginxMastersUnder(prefix: string, rows = listProcesses()): ProcessRow[] {
  return rows.filter((r) => r.args.startsWith('nginx: master process') && r.args.includes(prefix));
}
