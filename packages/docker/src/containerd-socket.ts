// Which containerd a local engine runs its containers in, found from the processes: the
// dockerd that listens on the engine's unix socket (its inode in /proc/net/unix, held by
// one of its fds), then its `--containerd` flag (a system containerd), else the `[grpc]
// address` of the config file dockerd writes for the containerd it manages
// (`<exec-root>/containerd/containerd.toml`), else its managed containerd child's
// `--address`. The child is looked for among the children of every thread of dockerd:
// Go forks from any thread, and /proc/<pid>/task/<pid>/children lists only the main
// thread's (a dockerd restarted under load had its containerd under another thread, and
// the sweep found no containerd). The namespace is dockerd's `--containerd-namespace`,
// `moby` by default. Undefined when any step cannot be read: not root, another kind of
// engine, a dockerd in another pid namespace.
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

/** The `[grpc] address` of a containerd config file. */
async function grpcAddress(config: string): Promise<string | undefined> {
  return /^\[grpc\][^[]*?^\s*address\s*=\s*"([^"]+)"/m.exec(await read(config))?.[1];
}

/** The pids of a process's children, forked by any of its threads. */
export async function childrenOf(pid: string): Promise<string[]> {
  const threads = await readdir(`/proc/${pid}/task`).catch(() => [pid]);
  const children: string[] = [];
  for (const tid of threads)
    children.push(...(await read(`/proc/${pid}/task/${tid}/children`)).split(/\s+/));
  return children.filter(Boolean);
}

/** The managed containerd's address: its config file's, else its child's `--address`. */
async function managedSocket(
  dockerd: string,
  argv: readonly string[],
): Promise<string | undefined> {
  const execRoot = flagValue(argv, ['--exec-root']) ?? '/var/run/docker';
  const written = await grpcAddress(`${execRoot}/containerd/containerd.toml`);
  if (written !== undefined) return written;
  for (const child of await childrenOf(dockerd)) {
    if ((await read(`/proc/${child}/comm`)).trim() !== 'containerd') continue;
    const childArgv = await argvOf(child);
    const address = flagValue(childArgv, ['--address', '-a']);
    if (address !== undefined) return address;
    const config = flagValue(childArgv, ['--config', '-c']);
    return config === undefined ? undefined : grpcAddress(config);
  }
  return undefined;
}

/** The containerd behind the engine at unix socket `path`, or undefined. */
export async function findContainerd(path: string): Promise<ContainerdEndpoint | undefined> {
  const dockerd = await listenerOf(path, 'dockerd');
  if (dockerd === undefined) return undefined;
  const argv = await argvOf(dockerd);
  const namespace = flagValue(argv, ['--containerd-namespace']) ?? 'moby';
  const socket = flagValue(argv, ['--containerd']) ?? (await managedSocket(dockerd, argv));
  return socket === undefined || socket === '' ? undefined : { socket, namespace };
}
