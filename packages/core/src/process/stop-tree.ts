import { RebindError } from '../errors.js';
import { bindProbe } from '../net/probe.js';
import { commandLine, liveGroupMembers } from '../proc/process-tree.js';

/** How a started process tree is stopped. */
export interface StopOptions {
  /**
   * The first signal, sent to the whole process group.
   * @default 'SIGTERM'
   */
  readonly signal?: NodeJS.Signals;
  /**
   * Grace period in ms between `signal` and SIGKILL of the whole group.
   * @default 5000
   */
  readonly timeout?: number;
  /**
   * How long in ms to wait after SIGKILL before failing with `REBIND_STOP_TIMEOUT`.
   * @default 5000
   */
  readonly killTimeout?: number;
  /**
   * Ports the tree listens on. Once the group is gone, stop also waits (up to 1000 ms)
   * until each binds again on 127.0.0.1: the kernel frees the port of a socket closed by
   * the exit of a killed process a few ms after that process is gone from /proc and from
   * `ss` (seen for 20 of 30 SIGKILLed listeners here). A port still busy after that is
   * someone else's business, and stop resolves anyway.
   * @default the port of a `tcp` or numeric `http` readiness check
   */
  readonly ports?: readonly number[];
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // the group is already empty
  }
}

/**
 * Waits until the leader has exited and no live member of the group is left, or until
 * `deadline` (performance.now() ms). True when everything is gone.
 */
async function waitGroupGone(pgid: number, leaderExited: Promise<unknown>, deadline: number) {
  let timer: NodeJS.Timeout | undefined;
  const leaderGone = await Promise.race([
    leaderExited.then(() => true),
    new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), Math.max(0, deadline - performance.now()));
    }),
  ]);
  clearTimeout(timer);
  if (!leaderGone) return false;
  for (let delay = 1; ; delay = Math.min(delay * 2, 20)) {
    if (liveGroupMembers(pgid).length === 0) return true;
    if (performance.now() >= deadline) return false;
    await sleep(delay);
  }
}

/** Waits until every port binds on 127.0.0.1 (a probe that never listens), up to 1000 ms. */
async function waitPortsReleased(ports: readonly number[]): Promise<void> {
  const deadline = performance.now() + 1000;
  for (const port of ports) {
    for (let delay = 1; ; delay = Math.min(delay * 2, 20)) {
      if ((await bindProbe('127.0.0.1', port)) !== 'EADDRINUSE') break;
      if (performance.now() >= deadline) return;
      await sleep(delay);
    }
  }
}

/**
 * Stops process group `pgid` (led by a child spawned `detached`, so pgid = its pid):
 * `signal` to the group, SIGKILL to the group after `timeout` ms, and resolves only when
 * the leader has exited and no live process of the group remains (a zombie holds no
 * socket). Only this group is ever signalled: a process rebind did not start is never.
 */
export async function stopProcessGroup(
  pgid: number,
  leaderExited: Promise<unknown>,
  options: StopOptions = {},
): Promise<void> {
  const { signal = 'SIGTERM', timeout = 5000, killTimeout = 5000, ports = [] } = options;
  signalGroup(pgid, signal);
  if (await waitGroupGone(pgid, leaderExited, performance.now() + timeout)) {
    return waitPortsReleased(ports);
  }
  signalGroup(pgid, 'SIGKILL');
  if (await waitGroupGone(pgid, leaderExited, performance.now() + killTimeout)) {
    return waitPortsReleased(ports);
  }
  const left = liveGroupMembers(pgid);
  const named = left.map((pid) => `${pid} (${commandLine(pid) ?? '?'})`).join(', ');
  throw new RebindError(
    'REBIND_STOP_TIMEOUT',
    `Process group ${pgid} did not exit within ${killTimeout} ms of SIGKILL (sent ${timeout} ms after ${signal}); still running: ${named || 'the group leader'}. A process in uninterruptible sleep (state D) waits for the kernel; look at /proc/<pid>/stat of the pids named.`,
    { details: { pgid, pids: left, signal, timeout, killTimeout } },
  );
}
