import { statfsSync } from 'node:fs';
import { dirname } from 'node:path';
import { RebindError } from './errors.js';

const reasons: Readonly<Record<string, string>> = {
  ENOSPC: 'no space left on the device',
  EDQUOT: 'the disk quota is used up',
  EROFS: 'the file system is read-only',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EMFILE: 'this process has too many open files',
  ENFILE: 'the system has too many open files',
};

const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;

/** "12.0 MiB free of 1024.0 MiB, 3 inodes free" for the file system holding `path`. */
function space(path: string): string | undefined {
  for (let dir = path; ; dir = dirname(dir)) {
    try {
      const s = statfsSync(dir);
      return `${mib(s.bavail * s.bsize)} free of ${mib(s.blocks * s.bsize)}, ${s.ffree} inodes free`;
    } catch {
      if (dir === dirname(dir)) return undefined;
    }
  }
}

/**
 * The error for a file rebind could not create or write (a prefix, a rendered config, a
 * compose file): `REBIND_WRITE_FAILED` naming the path, the reason, the space left and
 * the fix. Errors of other kinds come back as they are.
 */
export function writeFailure(error: unknown, path: string, what: string): unknown {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const reason = code === undefined ? undefined : reasons[code];
  if (reason === undefined) return error;
  const room = code === 'ENOSPC' || code === 'EDQUOT' ? space(path) : undefined;
  const fix =
    code === 'EMFILE' || code === 'ENFILE'
      ? 'Raise the limit (`ulimit -n`), or run fewer workers.'
      : 'Free space there, or point TMPDIR at a writable file system with room.';
  return new RebindError(
    'REBIND_WRITE_FAILED',
    `Could not write ${what} at ${path}: ${reason} (${code}${room === undefined ? '' : `; ${room}`}). ${fix}`,
    { cause: error, details: { path, errno: code } },
  );
}
