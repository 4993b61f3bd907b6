// The user files in the prefix follow the configuration: each start or reload writes the
// current set and removes what an earlier set placed that this one does not have (a
// replaced test config's files do not linger until stop). Files the prefix has of its own
// (conf/, logs/, run/, temp/) are never touched.
import { readdirSync, rmdirSync, rmSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import { writeUserFiles, type NginxConfigOptions } from './nginx-spec.js';

/** The prefix's own directories: kept even when empty. */
const prefixDirs = new Set(['.', 'conf', 'logs', 'run', 'temp']);

export class PlacedUserFiles {
  /** The normalised paths the last `place()` wrote. */
  #placed = new Set<string>();

  constructor(readonly prefix: string) {}

  /** Removes the files of the previous set that `files` lacks, then writes `files`. */
  place(files: NginxConfigOptions['userFiles']): void {
    const next = new Set(Object.keys(files ?? {}).map((path) => normalize(path)));
    for (const path of this.#placed) if (!next.has(path)) this.#remove(path);
    this.#placed = next;
    writeUserFiles(this.prefix, files);
  }

  /** Removes `path`, then each parent directory it leaves empty (not the prefix's own). */
  #remove(path: string): void {
    rmSync(join(this.prefix, path), { force: true });
    for (let dir = dirname(path); !prefixDirs.has(dir); dir = dirname(dir)) {
      const at = join(this.prefix, dir);
      try {
        if (readdirSync(at).length > 0) return;
        rmdirSync(at);
      } catch {
        return; // gone already
      }
    }
  }
}
