// TMPDIR on a full file system: a small tmpfs, filled up.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { isRebindError } from '@rebind/core';
import { startNginx } from '@rebind/nginx';
import { nginxMastersUnder, requireComponent } from '@rebind/test-support';

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0).reverse()) cleanup();
});

/** A 64 KiB tmpfs, filled up; TMPDIR points at it until the test ends. */
function fullTmpdir(): string {
  const mount = mkdtempSync(join(tmpdir(), 'rebind-full-'));
  cleanups.push(() => rmdirSync(mount));
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k,mode=1777', 'tmpfs', mount]);
  cleanups.push(() => execFileSync('umount', [mount]));
  try {
    writeFileSync(join(mount, 'filler'), Buffer.alloc(128 * 1024));
  } catch (error) {
    expect((error as NodeJS.ErrnoException).code).toBe('ENOSPC');
  }
  const before = process.env.TMPDIR;
  process.env.TMPDIR = mount;
  cleanups.push(() => {
    if (before === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = before;
  });
  return mount;
}

const asRoot = process.getuid?.() === 0;

describe.runIf(requireComponent('nginx') && asRoot)('TMPDIR on a full file system', () => {
  it('startNginx fails with REBIND_WRITE_FAILED naming the path and the space, and leaves nothing (clear error)', async () => {
    const mount = fullTmpdir();
    const error: unknown = await startNginx({ snippet: 'return 200;' }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isRebindError(error, 'REBIND_WRITE_FAILED'), String(error)).toBe(true);
    const escaped = mount.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    expect((error as Error).message).toMatch(
      new RegExp(
        `^Could not write nginx's (rendered config|private prefix) at ${escaped}/rebind-nginx-\\w+(/conf/nginx\\.conf)?: no space left on the device \\(ENOSPC; 0\\.0 MiB free of 0\\.1 MiB, \\d+ inodes free\\)\\. Free space there, or point TMPDIR at a writable file system with room\\.$`,
      ),
    );
    // Nothing half-written: only the filler is left, and no nginx runs from there.
    expect(readdirSync(mount)).toEqual(['filler']);
    expect(nginxMastersUnder(mount)).toEqual([]);
  });
});
