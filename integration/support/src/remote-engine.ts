// A private Docker engine for one test run, in a network namespace of its own: a "remote"
// engine as several CI machines share one. It has its own sockets (a unix socket for the
// test's own checks, a tcp listener on the namespace's address), data root, exec root,
// pid file, config file and containerd (dockerd's managed one, under the exec root), and a
// bridge in its own namespace, so nothing clashes with the machine's engine. Images are
// copied from the machine's engine (`docker save | docker load`): nothing is pulled.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, openSync, closeSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pingEngine } from './engine-ping.js';
import type { Netns } from './netns.js';
import { descendantsOf } from './processes.js';

export interface RemoteEngine {
  readonly pid: number;
  /** `unix:///tmp/rebind-engine-.../docker.sock`, reachable from this namespace. */
  readonly socket: string;
  /** `tcp://10.213.0.1:2375`, reachable from the host namespaces. */
  readonly tcp: string;
  readonly dir: string;
  /** Runs the docker CLI against this engine (through its unix socket); returns stdout. */
  docker(...args: string[]): string;
  /** The daemon's log so far, for failure messages. */
  log(): string;
  /** Removes every container, stops dockerd (and its containerd), removes its files. */
  stop(): Promise<void>;
}

export interface StartRemoteEngineOptions {
  readonly netns: Netns;
  /** The tcp port in the namespace (the namespace is this run's: nothing else listens). @default 2375 */
  readonly port?: number;
  /** Images to copy from the machine's engine. */
  readonly images?: readonly string[];
  /**
   * The engine machine's hostname (dockerd runs in a UTS namespace of its own): what
   * `docker info` calls the engine. @default this machine's hostname
   */
  readonly hostname?: string;
  /** How long to wait for the engine to answer, in ms. @default 60000 */
  readonly timeout?: number;
}

function exited(child: ChildProcess, within: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), within);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

export async function startRemoteEngine(options: StartRemoteEngineOptions): Promise<RemoteEngine> {
  const dir = mkdtempSync(join(tmpdir(), 'rebind-engine-'));
  const sockPath = join(dir, 'docker.sock');
  const tcp = `tcp://${options.netns.address}:${options.port ?? 2375}`;
  const config = join(dir, 'daemon.json');
  // Its own config file: the machine's /etc/docker/daemon.json is not read.
  writeFileSync(config, '{}\n');
  const logPath = join(dir, 'dockerd.log');
  const logFd = openSync(logPath, 'a');
  // unshare and sh exec: the pid stays dockerd's
  const uts =
    options.hostname === undefined
      ? []
      : ['unshare', '--uts', '--', 'sh', '-c', 'hostname "$0" && exec "$@"', options.hostname];
  const args = [
    ...options.netns.wrap,
    ...uts,
    'dockerd',
    `--config-file=${config}`,
    `--host=unix://${sockPath}`,
    `--host=${tcp}`,
    // plain tcp in a namespace nothing else reaches; without it dockerd waits 15 s to warn
    '--tls=false',
    `--data-root=${join(dir, 'data')}`,
    `--exec-root=${join(dir, 'exec')}`,
    `--pidfile=${join(dir, 'docker.pid')}`,
    // docker0 and its iptables rules live in the engine's namespace; a subnet apart anyway
    '--bip=10.214.0.1/24',
    '--cgroup-parent=rebind-remote-engine',
  ];
  const [file, ...rest] = args as [string, ...string[]];
  const child = spawn(file, rest, { stdio: ['ignore', logFd, logFd] });
  closeSync(logFd);
  const log = () => readFileSync(logPath, 'utf8');
  const docker = (...a: string[]) =>
    execFileSync('docker', ['-H', `unix://${sockPath}`, ...a], { encoding: 'utf8' });
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    if (child.exitCode === null && child.signalCode === null) {
      try {
        const ids = docker('ps', '-aq').split('\n').filter(Boolean);
        if (ids.length > 0) docker('rm', '-f', '-v', ...ids);
      } catch {
        // the engine is not answering: stopping it is all that is left
      }
      // dockerd's own children (containerd, shims, docker-proxy): ended by dockerd on
      // SIGTERM; by pid here if it had to be SIGKILLed.
      const children = descendantsOf(child.pid ?? -1);
      child.kill('SIGTERM');
      if (!(await exited(child, 20_000))) {
        child.kill('SIGKILL');
        await exited(child, 5000);
        for (const row of children) {
          try {
            process.kill(row.pid, 'SIGKILL');
          } catch {
            // gone
          }
        }
      }
    }
    rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
  };
  try {
    const deadline = Date.now() + (options.timeout ?? 60_000);
    while (!(await pingEngine(sockPath))) {
      if (child.exitCode !== null || Date.now() > deadline)
        throw new Error(`the private dockerd did not answer at ${sockPath}:\n${log()}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    for (const image of options.images ?? []) {
      execFileSync('bash', [
        '-o',
        'pipefail',
        '-c',
        `docker save "$1" | docker -H "unix://$2" load -q`,
        'load',
        image,
        sockPath,
      ]);
    }
  } catch (error) {
    await stop();
    throw error;
  }
  return { pid: child.pid ?? -1, socket: `unix://${sockPath}`, tcp, dir, docker, log, stop };
}
