// A private sshd for DOCKER_HOST=ssh:// tests: Debian's openssh-server run by the test in
// a namespace (or on loopback) with its own config, host key, authorized key and pid file
// in a temp dir, plus an ssh-agent holding the client key (dockerode's ssh transport
// authenticates through SSH_AUTH_SOCK). The machine's own sshd is never touched.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Netns } from './netns.js';

export interface SshServer {
  /** `ssh://root@10.213.0.1:22` */
  readonly dockerHost: string;
  /** The agent socket to pass as SSH_AUTH_SOCK. */
  readonly agentSocket: string;
  readonly pid: number;
  log(): string;
  /** Stops sshd and the agent (by pid) and removes the temp dir. Idempotent. */
  stop(): Promise<void>;
}

export interface StartSshServerOptions {
  /** Where sshd listens; its address. */
  readonly netns: Netns;
  /** The port in the namespace (this run's own namespace: nothing else listens). @default 22 */
  readonly port?: number;
  /** Environment of the sessions, e.g. `{ DOCKER_HOST: engine.socket }`. */
  readonly env?: Readonly<Record<string, string>>;
}

function reachable(wrap: readonly string[], host: string, port: number): boolean {
  try {
    const [file, ...args] = [...wrap, 'bash', '-c', `exec 3<>/dev/tcp/${host}/${port}`];
    execFileSync(file, args, { stdio: 'ignore', timeout: 2000 });
    return true;
  } catch {
    return false;
  }
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

export async function startSshServer(options: StartSshServerOptions): Promise<SshServer> {
  const dir = mkdtempSync(join(tmpdir(), 'rebind-sshd-'));
  const port = options.port ?? 22;
  const { address, wrap } = options.netns;
  const keygen = (file: string) =>
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(dir, file)]);
  keygen('host_key');
  keygen('client_key');
  const config = join(dir, 'sshd_config');
  const env = Object.entries(options.env ?? {}).map(([k, v]) => `${k}=${v}`);
  writeFileSync(
    config,
    [
      `ListenAddress ${address}:${port}`,
      `HostKey ${join(dir, 'host_key')}`,
      `PidFile ${join(dir, 'sshd.pid')}`,
      `AuthorizedKeysFile ${join(dir, 'client_key.pub')}`,
      'PermitRootLogin prohibit-password',
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'UsePAM no',
      // the key sits in a temp dir, not in a home directory sshd would vet
      'StrictModes no',
      ...(env.length > 0 ? [`SetEnv ${env.join(' ')}`] : []),
      '',
    ].join('\n'),
  );
  // sshd's privilege separation directory (what Debian's service unit makes at boot).
  mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
  const logPath = join(dir, 'sshd.log');
  const logFd = openSync(logPath, 'a');
  const [file, ...args] = [...wrap, '/usr/sbin/sshd', '-D', '-e', '-f', config];
  const sshd = spawn(file, args, { stdio: ['ignore', logFd, logFd] });
  const agentSocket = join(dir, 'agent.sock');
  const agent = spawn('ssh-agent', ['-D', '-a', agentSocket], {
    stdio: ['ignore', 'ignore', logFd],
  });
  closeSync(logFd);
  const log = () => readFileSync(logPath, 'utf8');
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await Promise.all([stopChild(sshd), stopChild(agent)]);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const deadline = Date.now() + 20_000;
    for (;;) {
      const agentUp = await new Promise<boolean>((resolve) => {
        const socket = connect(agentSocket, () => {
          socket.end();
          resolve(true);
        });
        socket.on('error', () => resolve(false));
      });
      if (agentUp && reachable(wrap, address, port)) break;
      if (sshd.exitCode !== null || Date.now() > deadline)
        throw new Error(`the test's sshd did not start on ${address}:${port}:\n${log()}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    execFileSync('ssh-add', ['-q', join(dir, 'client_key')], {
      env: { ...process.env, SSH_AUTH_SOCK: agentSocket },
      stdio: 'ignore',
    });
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    dockerHost: `ssh://root@${address}:${port}`,
    agentSocket,
    pid: sshd.pid ?? -1,
    log,
    stop,
  };
}
