// The one way rebind runs a short command to completion (`ss`, `sysctl`, `netsh`, `nginx -V`,
// `docker-compose`, the perl reuseport probe): no shell, output collected, never a reject.
// node:child_process rather than execa: measured here, execa costs ~3x per spawn (26 ms
// against 8 ms for `true`) and ~0.6 s to import on a loaded machine, and the watcher's `ss`
// fallback runs on hot paths. Long-lived processes go through startProcess instead.
import { execFile } from 'node:child_process';

export interface RunOptions {
  readonly cwd?: string;
  readonly env?: NodeJS.ProcessEnv;
  /** Ms before the command is killed (SIGTERM). @default no limit */
  readonly timeout?: number;
  /** Bytes of stdout or stderr kept before the command is killed. @default 64 MiB */
  readonly maxBuffer?: number;
}

export interface RunResult {
  readonly stdout: string;
  readonly stderr: string;
  /** Exit code; null when it never ran or was killed by a signal. */
  readonly exitCode: number | null;
  /** The spawn error's code (`ENOENT`: no such command), when it could not run. */
  readonly errno?: string;
  /** True unless it ran and exited with 0. */
  readonly failed: boolean;
  /** Node's error for a failed run (for `cause`). */
  readonly error?: Error;
}

/** Runs `command` with `args` to completion; resolves with what happened, never rejects. */
export function runOnce(
  command: string,
  args: readonly string[],
  options: RunOptions = {},
): Promise<RunResult> {
  return new Promise((resolve) => {
    execFile(
      command,
      [...args],
      {
        cwd: options.cwd,
        env: options.env,
        timeout: options.timeout ?? 0,
        maxBuffer: options.maxBuffer ?? 64 * 1024 * 1024,
        windowsHide: true,
      },
      (error, stdout, stderr) => {
        if (error === null) {
          resolve({ stdout, stderr, exitCode: 0, failed: false });
          return;
        }
        const code = (error as { code?: unknown }).code;
        resolve({
          stdout,
          stderr,
          exitCode: typeof code === 'number' ? code : null,
          errno: typeof code === 'string' ? code : undefined,
          failed: true,
          error,
        });
      },
    );
  });
}

/**
 * The platform back ends' runner: stdout, even after a non-zero exit (tools such as
 * `netstat` exit 1 with a full table); rejects only when the command does not exist.
 */
export async function runCommand(command: string, args: readonly string[]): Promise<string> {
  const result = await runOnce(command, args);
  if (result.errno === 'ENOENT' && result.stdout === '') throw result.error;
  return result.stdout;
}
