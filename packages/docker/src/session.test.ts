import { describe, expect, it } from 'vitest';
import {
  bootId,
  labelKeys,
  ownerEnv,
  ownerEnvName,
  ownerFromEnv,
  ownershipOf,
  pidNamespace,
  processStartTime,
} from './session.js';

// A pid that no process has: above the kernel's pid_max.
const gone = 2 ** 22 + 1;

describe('ownershipOf', () => {
  const labels = (extra: Record<string, string>) => ({
    [labelKeys.session]: 'other-session',
    [labelKeys.ownerPid]: String(gone),
    [labelKeys.ownerStart]: '1',
    [labelKeys.ownerBoot]: bootId(),
    ...extra,
  });

  it("judges a pid only within the owner's own pid namespace", () => {
    expect(ownershipOf(labels({ [labelKeys.ownerPidns]: pidNamespace() }))).toEqual({
      kind: 'dead-session',
      pid: gone,
      why: `pid ${gone} is gone`,
    });
    // a CI job in another container on this kernel: same boot id, its pids are not ours
    expect(ownershipOf(labels({ [labelKeys.ownerPidns]: 'pid:[1]' }))).toEqual({
      kind: 'other-machine',
      pid: gone,
    });
    // labelled before the pid namespace was: judged by pid, as then
    expect(ownershipOf(labels({})).kind).toBe('dead-session');
  });

  it('never takes a live owner’s container for a dead one’s', () => {
    const live = {
      [labelKeys.ownerPid]: String(process.pid),
      [labelKeys.ownerPidns]: pidNamespace(),
    };
    // its start time as labelled: the owner itself
    expect(
      ownershipOf(labels({ ...live, [labelKeys.ownerStart]: processStartTime(process.pid)! })),
    ).toEqual({ kind: 'live-session', pid: process.pid });
    // another start time: the pid was reused
    expect(ownershipOf(labels({ ...live, [labelKeys.ownerStart]: '1' })).kind).toBe('dead-session');
    // an owner that could not read its own start time: its pid is alive, so it may be it
    expect(ownershipOf(labels({ ...live, [labelKeys.ownerStart]: 'unknown' }))).toEqual({
      kind: 'live-session',
      pid: process.pid,
    });
  });

  it('never claims a container of another machine or without its labels', () => {
    expect(ownershipOf(labels({ [labelKeys.ownerBoot]: 'another-boot' })).kind).toBe(
      'other-machine',
    );
    expect(ownershipOf({ unrelated: 'x' })).toEqual({ kind: 'foreign' });
  });
});

describe('ownerEnv', () => {
  it('carries the owner labels and the handle into the env, and back', () => {
    const owner = { [labelKeys.session]: '1-ab', [labelKeys.ownerPidns]: 'pid:[4026531836]' };
    const entry = ownerEnv(owner, '1-ab-2');
    expect(entry.startsWith(`${ownerEnvName}=`)).toBe(true);
    expect(ownerFromEnv(['PATH=/bin', entry])).toEqual({
      ...owner,
      [labelKeys.handle]: '1-ab-2',
    });
    expect(ownerFromEnv(['PATH=/bin', 'HOSTNAME=rb-0123456789ab'])).toBeUndefined();
  });
});
