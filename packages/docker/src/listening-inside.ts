// Stand-in until the watcher (issue 3) can read another network namespace: whether a
// process in the container (seen through its init pid) has a LISTEN socket on `port`,
// from /proc/<pid>/net/tcp{6}. Proves the listener is the new container's, never the
// previous instance's or docker-proxy's.
import { readFile } from 'node:fs/promises';

/** true or false when /proc shows it, undefined when this container's /proc is not visible. */
export async function listeningInside(pid: number, port: number): Promise<boolean | undefined> {
  const hexPort = `:${port.toString(16).toUpperCase().padStart(4, '0')} `;
  let seen = false;
  for (const file of ['tcp6', 'tcp']) {
    let text: string;
    try {
      text = await readFile(`/proc/${pid}/net/${file}`, 'utf8');
    } catch {
      continue;
    }
    seen = true;
    for (const line of text.split('\n')) {
      const fields = line.trim().split(/\s+/);
      if (fields[3] === '0A' && `${fields[1]} `.includes(hexPort)) return true;
    }
  }
  return seen ? false : undefined;
}
