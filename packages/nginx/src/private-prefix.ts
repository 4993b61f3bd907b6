import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeFailure } from '@rebind/core/internal';

/**
 * Creates an instance's private prefix: nothing in it is readable or writable by other
 * users (a config may hold credentials, a log holds request data).
 *
 * - The prefix itself is `0700`; as root `0711`: nginx's workers run as an unprivileged
 *   user and must traverse it to reach their temp directories, but may list nothing.
 * - `conf/`, `logs/` and `run/` (the readiness socket) are `0700`, and the logs `0600`: the
 *   master opens them as the user that starts it, before it drops privileges; workers
 *   inherit the open files.
 * - `temp/` is `0711` as root: nginx creates its temp paths in it at start, owned by the
 *   worker user with mode `0700` (ngx_create_paths), and the workers write there.
 *
 * A full or read-only TMPDIR fails with `REBIND_WRITE_FAILED`, and leaves nothing.
 */
export async function makePrivatePrefix(): Promise<string> {
  const base = join(tmpdir(), 'rebind-nginx-');
  const prefix = await mkdtemp(base).catch((error: unknown) => {
    throw writeFailure(error, base, "nginx's private prefix");
  });
  try {
    for (const dir of ['conf', 'logs', 'run', 'temp'])
      await mkdir(join(prefix, dir), { mode: 0o700 });
    // nginx creates its logs 0644; created first, they keep this mode.
    for (const log of ['error.log', 'access.log'])
      await writeFile(join(prefix, 'logs', log), '', { mode: 0o600 });
    if (process.getuid?.() === 0) {
      // mkdir's mode is masked by the umask; chmod sets exactly these.
      await chmod(prefix, 0o711);
      await chmod(join(prefix, 'temp'), 0o711);
    }
  } catch (error) {
    await rm(prefix, { recursive: true, force: true });
    throw writeFailure(error, prefix, "nginx's private prefix");
  }
  return prefix;
}
