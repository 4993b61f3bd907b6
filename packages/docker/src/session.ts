// Who owns a container: every container rebind starts carries labels naming this process
// (pid, its kernel start time, the machine's boot id and pid namespace), so a later run can
// tell a container of a dead session from one of a live process, and never touches anyone
// else's.
import { randomBytes } from 'node:crypto';
import { readFileSync, readlinkSync } from 'node:fs';

export const labelKeys = {
  session: 'rebind.session',
  ownerPid: 'rebind.owner-pid',
  ownerStart: 'rebind.owner-start',
  ownerBoot: 'rebind.owner-boot',
  ownerPidns: 'rebind.owner-pidns',
  startedAt: 'rebind.started-at',
  handle: 'rebind.handle',
} as const;

let session: string | undefined;

/** This process's rebind session id (one per process, random). */
export function sessionId(): string {
  session ??= `${process.pid}-${randomBytes(4).toString('hex')}`;
  return session;
}

/** The kernel start time of `pid` in clock ticks (field 22 of /proc/<pid>/stat), or undefined. */
export function processStartTime(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

let boot: string | undefined;

/** This machine's boot id: pids and start times mean something only within one boot. */
export function bootId(): string {
  if (boot === undefined) {
    try {
      boot = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
    } catch {
      boot = 'unknown';
    }
  }
  return boot;
}

let pidns: string | undefined;

/**
 * This process's pid namespace (`pid:[4026531836]`). Containers on one kernel (CI jobs
 * in containers sharing an engine) share the boot id but not their pids: a pid means
 * something only within its namespace.
 */
export function pidNamespace(): string {
  if (pidns === undefined) {
    try {
      pidns = readlinkSync('/proc/self/ns/pid');
    } catch {
      pidns = 'unknown';
    }
  }
  return pidns;
}

/** The labels every container of this process carries (plus `rebind.handle`). */
export function ownerLabels(): Record<string, string> {
  return {
    [labelKeys.session]: sessionId(),
    [labelKeys.ownerPid]: String(process.pid),
    [labelKeys.ownerStart]: processStartTime(process.pid) ?? 'unknown',
    [labelKeys.ownerBoot]: bootId(),
    [labelKeys.ownerPidns]: pidNamespace(),
    [labelKeys.startedAt]: new Date().toISOString(),
  };
}

export type Ownership =
  | { readonly kind: 'this-session' }
  | { readonly kind: 'live-session'; readonly pid: number }
  | { readonly kind: 'dead-session'; readonly pid: number; readonly why: string }
  /** Started from another machine (boot id) or another pid namespace of this one. */
  | { readonly kind: 'other-machine'; readonly pid: number }
  | { readonly kind: 'foreign' };

/** Whose container this is, from its labels. */
export function ownershipOf(labels: Readonly<Record<string, string>> | undefined): Ownership {
  const session = labels?.[labelKeys.session];
  if (labels === undefined || session === undefined) return { kind: 'foreign' };
  if (session === sessionId()) return { kind: 'this-session' };
  const pid = Number(labels[labelKeys.ownerPid]);
  if (labels[labelKeys.ownerBoot] !== bootId()) return { kind: 'other-machine', pid };
  // Another pid namespace on this kernel (a container): its pid cannot be looked up here.
  // Containers labelled before this label existed are judged by pid as they were.
  const ns = labels[labelKeys.ownerPidns];
  if (ns !== undefined && ns !== pidNamespace()) return { kind: 'other-machine', pid };
  const start = processStartTime(pid);
  if (start === undefined) {
    // Unreadable is not gone (EMFILE under fd pressure): only a pid no process has is.
    if (!pidGone(pid)) return { kind: 'live-session', pid };
    return { kind: 'dead-session', pid, why: `pid ${pid} is gone` };
  }
  // An owner that could not read its own start time labelled it `unknown`: its pid alone
  // cannot tell reuse from the owner itself, and a live owner's container is never taken.
  const labelled = labels[labelKeys.ownerStart];
  if (labelled !== undefined && labelled !== 'unknown' && start !== labelled) {
    return { kind: 'dead-session', pid, why: `pid ${pid} now belongs to another process` };
  }
  return { kind: 'live-session', pid };
}

/** True when no process has `pid` (ESRCH), or it is no pid at all. */
function pidGone(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return true;
  try {
    process.kill(pid, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

/**
 * The environment variable that carries a container's owner labels (and its handle) into
 * the container's OCI spec. The engine keeps labels to itself: containerd sees only the
 * spec (hostname, env, mounts), so a container the engine forgot (a restart mid-create)
 * can be told to be rebind's, and whose, only by this variable.
 */
export const ownerEnvName = 'REBIND_OWNER';

/** `REBIND_OWNER=rebind.session=…&rebind.owner-pid=…&…&rebind.handle=…` for a handle. */
export function ownerEnv(labels: Readonly<Record<string, string>>, handleId: string): string {
  return `${ownerEnvName}=${new URLSearchParams({ ...labels, [labelKeys.handle]: handleId }).toString()}`;
}

/** The owner labels from a container's env (`KEY=value` entries), or undefined. */
export function ownerFromEnv(
  env: readonly string[] | undefined,
): Record<string, string> | undefined {
  const entry = env?.find((e) => e.startsWith(`${ownerEnvName}=`));
  if (entry === undefined) return undefined;
  return Object.fromEntries(new URLSearchParams(entry.slice(ownerEnvName.length + 1)));
}
