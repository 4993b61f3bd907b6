// A private Docker engine for fault tests: a dockerd of the test's own (own unix socket,
// data and exec roots, pidfile, its own managed containerd, its own bridge with
// --iptables=false and the userland proxy), so a test may stop, restart or kill it while
// the machine's shared engine, used by everyone else, is never touched. Images come from
// the shared engine (docker save | docker load: nothing is pulled). remove() takes away
// everything it started: containers, containerd shims, mounts, the bridge, the dir.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  mkdtempSync,
  openSync,
  readFileSync,
  readdirSync,
  rmSync,
  rmdirSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { pingEngine } from './engine-ping.js';
import { listProcesses } from './processes.js';

export interface PrivateEngineOptions {
  /** Images to copy from the shared engine. @default [] */
  readonly images?: readonly string[];
  /** Seconds dockerd gives running containers on shutdown. @default 2 */
  readonly shutdownTimeout?: number;
}

export interface PrivateEngine {
  /** `unix:///tmp/rebind-engine-XXXXXX/docker.sock`: the value for DOCKER_HOST. */
  readonly dockerHost: string;
  readonly dir: string;
  /** The running dockerd's pid (undefined while stopped). */
  readonly pid: number | undefined;
  /** Runs the docker CLI against this engine. */
  docker(args: readonly string[]): string;
  /** Runs ctr against this engine's containerd, in the engine's namespace (moby). */
  ctr(args: readonly string[]): string;
  /** Stops dockerd by its pid (SIGTERM, as a service manager does) and waits for it to exit. */
  stop(): Promise<void>;
  /** Starts dockerd again and waits until it answers. */
  start(): Promise<void>;
  /** Removes every container, stops dockerd and removes all it left. Idempotent. */
  remove(): Promise<void>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A /24 in 10.219.0.0/16 that no route of this machine uses. */
function freeSubnet(): string {
  const routes = execFileSync('ip', ['-4', 'route'], { encoding: 'utf8' });
  for (;;) {
    const n = 1 + ((randomBytes(1)[0] as number) % 250);
    if (!routes.includes(`10.219.${n}.`)) return `10.219.${n}`;
  }
}

export async function startPrivateEngine(
  options: PrivateEngineOptions = {},
): Promise<PrivateEngine> {
  const dir = mkdtempSync('/tmp/rebind-engine-');
  const id = dir
    .slice(-6)
    .toLowerCase()
    .replace(/[^a-z0-9]/g, 'x');
  const bridge = `rbe-${id}`;
  const socket = join(dir, 'docker.sock');
  const containerd = join(dir, 'exec/containerd/containerd.sock');
  writeFileSync(
    join(dir, 'daemon.json'),
    JSON.stringify({ 'shutdown-timeout': options.shutdownTimeout ?? 2 }),
  );
  execFileSync('ip', ['link', 'add', bridge, 'type', 'bridge']);
  execFileSync('ip', ['addr', 'add', `${freeSubnet()}.1/24`, 'dev', bridge]);
  execFileSync('ip', ['link', 'set', bridge, 'up']);
  const args = [
    `--config-file=${join(dir, 'daemon.json')}`,
    `--host=unix://${socket}`,
    `--data-root=${join(dir, 'data')}`,
    `--exec-root=${join(dir, 'exec')}`,
    `--pidfile=${join(dir, 'docker.pid')}`,
    `--bridge=${bridge}`,
    '--iptables=false',
    '--ip6tables=false',
    '--ip-masq=false',
    '--userland-proxy=true',
    `--cgroup-parent=rebind-engine-${id}`,
  ];
  let daemon: ChildProcess | undefined;
  let removed: Promise<void> | undefined;

  const docker = (cli: readonly string[]) =>
    execFileSync('docker', ['--host', `unix://${socket}`, ...cli], { encoding: 'utf8' });
  const engine: PrivateEngine = {
    dockerHost: `unix://${socket}`,
    dir,
    get pid() {
      return daemon?.exitCode === null ? daemon.pid : undefined;
    },
    docker,
    ctr: (cli) =>
      execFileSync('ctr', ['--address', containerd, '--namespace', 'moby', ...cli], {
        encoding: 'utf8',
      }),
    async start() {
      const log = openSync(join(dir, 'dockerd.log'), 'a');
      daemon = spawn('dockerd', args, { stdio: ['ignore', log, log], detached: true });
      daemon.unref();
      const deadline = Date.now() + 60_000;
      while (!(await pingEngine(socket))) {
        if (daemon.exitCode !== null || Date.now() > deadline)
          throw new Error(
            `the private dockerd did not answer at ${socket}:\n${readFileSync(join(dir, 'dockerd.log'), 'utf8').slice(-2000)}`,
          );
        await sleep(100);
      }
    },
    async stop() {
      const running = daemon;
      if (running === undefined || running.exitCode !== null || running.signalCode !== null) return;
      // ref: the caller may have nothing else keeping the event loop alive
      running.ref();
      const exited = new Promise((resolve) => running.once('exit', resolve));
      process.kill(running.pid as number, 'SIGTERM');
      await exited;
    },
    remove() {
      removed ??= (async () => {
        try {
          if (engine.pid !== undefined) {
            const ids = docker(['ps', '-aq']).split('\n').filter(Boolean);
            if (ids.length > 0) docker(['rm', '-f', '-v', ...ids]);
          }
        } finally {
          await engine.stop();
          cleanUp(dir, bridge, id);
        }
      })();
      return removed;
    },
  };
  try {
    await engine.start();
    for (const image of options.images ?? [])
      execFileSync(
        'sh',
        [
          '-c',
          'docker --host unix:///var/run/docker.sock save "$1" | docker --host "$2" load -q',
          'sh',
          image,
          engine.dockerHost,
        ],
        { stdio: 'ignore' },
      );
  } catch (error) {
    await engine.remove();
    throw error;
  }
  return engine;
}

function safeList(path: string): string[] {
  try {
    return readdirSync(path);
  } catch {
    return [];
  }
}

/** What a stopped engine may leave: shims of its containerd, mounts, bridge, cgroup, dir. */
function cleanUp(dir: string, bridge: string, id: string): void {
  for (const row of listProcesses())
    if (row.args.includes(`${dir}/`)) {
      try {
        process.kill(row.pid, 'SIGKILL');
      } catch {
        // gone
      }
    }
  const mounts = readFileSync('/proc/self/mounts', 'utf8')
    .split('\n')
    .map((line) => line.split(' ')[1] ?? '')
    .filter((target) => target.startsWith(`${dir}/`))
    .sort((a, b) => b.length - a.length);
  for (const target of mounts) execFileSync('umount', ['-l', target], { stdio: 'ignore' });
  execFileSync('ip', ['link', 'del', bridge], { stdio: 'ignore' });
  // cgroup v2: one tree; v1: one per controller.
  const roots = ['/sys/fs/cgroup', ...safeList('/sys/fs/cgroup').map((c) => `/sys/fs/cgroup/${c}`)];
  for (const root of roots)
    try {
      rmdirSync(join(root, `rebind-engine-${id}`));
    } catch {
      // not there, or the engine never made it
    }
  rmSync(dir, { recursive: true, force: true });
}
