// Whether a process in the container (seen through its init pid) has a LISTEN socket on
// `port`, from /proc/<pid>/net/tcp{,6}: the container's own network namespace. Proves the
// listener is the new container's, never the previous instance's or docker-proxy's.
import { readListeners } from '@rebind/core/internal';

/** true or false when /proc shows it, undefined when this container's /proc is not visible. */
export function listeningInside(pid: number, port: number): boolean | undefined {
  const listeners = readListeners(port, `/proc/${pid}/net`);
  return listeners === undefined ? undefined : listeners.length > 0;
}
