// Stand-in until the watcher (inspectPort, issue 3) lands: the host process listening on
// a TCP port, by `ss -Htlnp`, with its command line. Replaced by inspectPort's owners.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';

export interface HostProcess {
  readonly pid: number;
  readonly command: string;
}

export async function hostProcessListeningOn(port: number): Promise<HostProcess | undefined> {
  const output = await new Promise<string>((resolve) => {
    execFile('ss', ['-Htlnp', `sport = :${port}`], { timeout: 5000 }, (error, stdout) =>
      resolve(error ? '' : stdout),
    );
  });
  const pid = Number(/pid=(\d+)/.exec(output)?.[1]);
  if (!Number.isInteger(pid) || pid <= 0) return undefined;
  let command = '';
  try {
    command = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean).join(' ');
  } catch {
    // ended meanwhile
  }
  return { pid, command };
}
