import type { Io } from '../src/command.js';

/** An Io that keeps what a command writes, for assertions. */
export function capture(): { out: { stdout: string; stderr: string }; io: Io } {
  const out = { stdout: '', stderr: '' };
  return {
    out,
    io: {
      stdout: { write: (t: string) => (out.stdout += t) },
      stderr: { write: (t: string) => (out.stderr += t) },
    },
  };
}
