import { rmSync, writeFileSync } from 'node:fs';

/**
 * Writes `text` to `path` as a new file (unlinked first). Overwriting a file in place
 * truncates it, and ext4 then flushes its data on close (auto_da_alloc, which protects
 * replace-via-truncate): measured here at 3.7 ms per write against 0.09 ms for a new file,
 * on every per-test restart.
 */
export function writeFreshFile(path: string, text: string, mode = 0o600): void {
  rmSync(path, { force: true });
  writeFileSync(path, text, { mode });
}
