import { execFile } from 'node:child_process';

/** Runs a command, resolves to its stdout; a non-zero exit with output still resolves it. */
export function runCommand(command: string, args: readonly string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(command, args, { maxBuffer: 64 * 1024 * 1024, windowsHide: true }, (error, stdout) => {
      if (error && stdout === '' && (error as NodeJS.ErrnoException).code === 'ENOENT') {
        reject(error);
        return;
      }
      resolve(stdout);
    });
  });
}
