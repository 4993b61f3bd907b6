import { canBind } from '../net/probe.js';
import { createLogger } from '../logger.js';
import type { PortLock } from './port-lock.js';
import { tcpBusy, type PortUsage } from './port-usage.js';

/**
 * Released ports cool down before anyone may lease them again: the lease's lock is kept
 * until a socket-table read taken after the release shows no socket on the port (no
 * lingering listener, no TIME_WAIT unless the lease accepted it) and a bind probe passes.
 * TIME_WAIT lasts 60 s on Linux; the check backs off from 100 ms to 2 s meanwhile.
 */

interface Cooling {
  readonly lock: PortLock;
  readonly hosts: readonly string[];
  readonly releasedAt: number;
  readonly acceptTimeWait: boolean;
}

const log = createLogger('allocate');
/** Released ports whose lock this process still holds. */
export const cooling = new Map<number, Cooling>();

let timer: NodeJS.Timeout | undefined;
let delay = 100;
let source: PortUsage | undefined;

export function coolDown(
  port: number,
  lock: PortLock,
  hosts: readonly string[],
  acceptTimeWait: boolean,
  usage: PortUsage,
): void {
  source = usage;
  cooling.set(port, { lock, hosts, releasedAt: performance.now(), acceptTimeWait });
  delay = 100;
  schedule();
}

function schedule(): void {
  if (timer !== undefined || cooling.size === 0) return;
  timer = setTimeout(() => void sweep(), delay);
  timer.unref();
}

async function sweep(): Promise<void> {
  try {
    if (source === undefined) return;
    const snapshot = await source.get(true);
    let freed = 0;
    for (const [port, entry] of cooling) {
      if (entry.releasedAt >= snapshot.takenAt) continue;
      if (tcpBusy(snapshot, port, entry.acceptTimeWait)) continue;
      if (!(await canBind(port, entry.hosts.includes('0.0.0.0') ? ['::'] : entry.hosts))) continue;
      entry.lock.close();
      cooling.delete(port);
      freed++;
    }
    if (freed > 0) log('%d released ports cooled down, %d still cooling', freed, cooling.size);
    delay = freed > 0 ? 100 : Math.min(delay * 2, 2000);
  } catch (error) {
    log('cool-down check failed: %O', error);
    delay = 2000;
  } finally {
    timer = undefined;
    schedule();
  }
}
