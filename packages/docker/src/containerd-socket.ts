// Which containerd a local engine runs its containers in, found from the processes: the
// dockerd that listens on the engine's unix socket (its inode in /proc/net/unix, held by
// one of its fds), then its `--containerd` flag (a system containerd), else its managed
// containerd child's `--address`, else the `[grpc] address` of that child's `--config`
// file (dockerd writes `<exec-root>/containerd/containerd.toml`). The namespace is
// dockerd's `--containerd-namespace`, `moby` by default. Undefined when any step cannot
// be read: not root, another kind of engine, a dockerd in another pid namespace.
import { readFile, readdir, readlink, realpath } from 'node:fs/promises';
import { basename } from 'node:path';

export interface ContainerdEndpoint {
  readonly socket: string;
  readonly namespace: string;
}

const read = (path: string) => readFile(path, 'utf8').catch(() => '');

/** A process's argv. */
async function argvOf(pid: string): Promise<string[]> {
  return (await read(`/proc/${pid}/cmdline`)).split('\0').filter(Boolean);
}

/** The value of `--name=value` or `--name value` in argv. */
export function flagValue(argv: readonly string[], names: readonly string[]): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    for (const name of names) {
      if (arg.startsWith(`${name}=`)) return arg.slice(name.length + 1);
      if (arg === name) return argv[i + 1];
    }
  }
  return undefined;
}

/** The pid of the process that listens on unix socket `path`, among processes named `comm`. */
async function listenerOf(path: string, comm: string): Promise<string | undefined> {
  // /var/run is often a link to /run: compare real paths, as bound and as given.
  const real = await realpath(path).catch(() => path);
  let inode: string | undefined;
  for (const cols of (await read('/proc/net/unix')).split('\n').map((l) => l.trim().split(/\s+/))) {
    const bound = cols[7];
    if (bound === undefined || basename(bound) !== basename(real)) continue;
    if (bound === path || (await realpath(bound).catch(() => bound)) === real) inode = cols[6];
  }
  if (inode === undefined) return undefined;
  const pids = (await readdir('/proc').catch(() => [])).filter((p) => /^\d+$/.test(p));
  for (const pid of pids) {
    if ((await read(`/proc/${pid}/comm`)).trim() !== comm) continue;
    const fds = await readdir(`/proc/${pid}/fd`).catch(() => []);
    for (const fd of fds)
      if ((await readlink(`/proc/${pid}/fd/${fd}`).catch(() => '')) === `socket:[${inode}]`)
        return pid;
  }
  return undefined;
}

/** The managed containerd's address: its `--address`, or its config file's `[grpc] address`. */
async function managedSocket(dockerd: string): Promise<string | undefined> {
  const children = (await read(`/proc/${dockerd}/task/${dockerd}/children`)).split(/\s+/);
  for (const child of children.filter(Boolean)) {
    if ((await read(`/proc/${child}/comm`)).trim() !== 'containerd') continue;
    const argv = await argvOf(child);
    const address = flagValue(argv, ['--address', '-a']);
    if (address !== undefined) return address;
    const config = flagValue(argv, ['--config', '-c']);
    if (config === undefined) return undefined;
    const grpc = /^\[grpc\][^[]*?^\s*address\s*=\s*"([^"]+)"/m.exec(await read(config));
    return grpc?.[1];
  }
  return undefined;
}

/** The containerd behind the engine at unix socket `path`, or undefined. */
export async function findContainerd(path: string): Promise<ContainerdEndpoint | undefined> {
  const dockerd = await listenerOf(path, 'dockerd');
  if (dockerd === undefined) return undefined;
  const argv = await argvOf(dockerd);
  const namespace = flagValue(argv, ['--containerd-namespace']) ?? 'moby';
  const socket = flagValue(argv, ['--containerd']) ?? (await managedSocket(dockerd));
  return socket === undefined || socket === '' ? undefined : { socket, namespace };
}
