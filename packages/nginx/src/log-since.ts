// An error log read from a byte offset: the lines an instance (or a reload) wrote since
// it began. A missing log reads as empty.
import { readFileSync, statSync } from 'node:fs';

/** The log's size now (0 when it does not exist yet): where the next lines will start. */
export function fileSize(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

/** The log's text from byte `start` on. */
export function logSince(path: string, start: number): string {
  try {
    return readFileSync(path).subarray(start).toString('utf8');
  } catch {
    return '';
  }
}
