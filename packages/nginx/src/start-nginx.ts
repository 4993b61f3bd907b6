import { chmod, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  getWatchdog,
  startRestartable,
  restartStrategies,
  type RestartStrategy,
  type Restartable,
} from '@rebind/core';
import {
  invalidOption,
  validateSignal,
  validateStrategy,
  validateTimeout,
} from '@rebind/core/internal';
import { findNginx } from './find-nginx.js';
import { binaryDefaults } from './binary-defaults.js';
import { NginxLauncher } from './nginx-launcher.js';
import { StartedNginxHandle, type NginxInstance, type StartedNginx } from './started-nginx.js';

export interface StartNginxOptions {
  /** Your nginx.conf: a path, or the configuration text. */
  readonly config?: string;
  /** A `server { }` block (or several, with other http-level directives), or a server's body. */
  readonly snippet?: string;
  /** The nginx binary: a path or a name on PATH. @default 'nginx' */
  readonly binary?: string;
  /** The port for the first listen (others are allocated). @default 'auto' */
  readonly port?: number | 'auto';
  /** The address every listen is bound to. @default '127.0.0.1' */
  readonly host?: string;
  /** @default 'wait' */
  readonly restartStrategy?: RestartStrategy;
  /** Allow `'reuseport'` on a non-loopback host. @default false */
  readonly allowUnsafeReuseport?: boolean;
  /** Ms to wait for the instance to answer. @default 10000 */
  readonly readyTimeout?: number;
  /** Grace period in ms after SIGQUIT before SIGKILL. @default 5000 */
  readonly stopTimeout?: number;
  /** Keep the private prefix directory after stop(). @default false */
  readonly keepPrefix?: boolean;
  readonly signal?: AbortSignal;
}

function validate(options: StartNginxOptions): void {
  if (typeof options !== 'object' || options === null)
    throw invalidOption('options', 'an object', options);
  if ((options.config === undefined) === (options.snippet === undefined))
    throw invalidOption(
      'config',
      'a path or text, or else a `snippet` (exactly one of them)',
      options.config,
    );
  if (options.host !== undefined && (typeof options.host !== 'string' || options.host === ''))
    throw invalidOption('host', 'an IP address', options.host);
  if (options.restartStrategy !== undefined)
    validateStrategy(options.restartStrategy, restartStrategies);
  if (options.readyTimeout !== undefined) validateTimeout(options.readyTimeout, 'readyTimeout');
  if (options.stopTimeout !== undefined) validateTimeout(options.stopTimeout, 'stopTimeout');
  validateSignal(options.signal);
}

/**
 * Starts a pristine nginx from your config (or a snippet) in a private prefix directory,
 * on loopback ports rebind allocates, and resolves once the new instance itself answers.
 */
export async function startNginx(options: StartNginxOptions): Promise<StartedNginx> {
  validate(options);
  const binary = await findNginx(options.binary);
  const host = options.host ?? '127.0.0.1';
  const prefix = await mkdtemp(join(tmpdir(), 'rebind-nginx-'));
  // Removed by stop(), or by the watchdog if this process dies first.
  const unguardPrefix =
    options.keepPrefix === true ? () => undefined : (await getWatchdog()).guardDirectory(prefix);
  let launcher: NginxLauncher | undefined;
  let restartable: Restartable<NginxInstance>;
  try {
    launcher = new NginxLauncher(options, binary, binaryDefaults(binary), host, prefix);
    for (const dir of ['conf', 'logs', 'temp']) await mkdir(join(prefix, dir));
    // Workers run as nginx's unprivileged user when the master is root: let them in.
    if (process.getuid?.() === 0) await chmod(prefix, 0o755);
    await launcher.leaseExtras();
    const nginx = launcher;
    restartable = await startRestartable<NginxInstance>(
      {
        name: 'nginx',
        strategies: restartStrategies,
        start: (plan, signal) => nginx.start(plan, signal),
        stop: (instance) => instance.process.stop(),
        reload: (instance, plan, signal) => nginx.reload(instance, plan, signal),
      },
      {
        host,
        port: options.port ?? 'auto',
        strategy: options.restartStrategy ?? 'wait',
        allowUnsafeReuseport: options.allowUnsafeReuseport,
        signal: options.signal,
      },
    );
  } catch (error) {
    await Promise.all((launcher?.extras ?? []).map((e) => e.release()));
    await rm(prefix, { recursive: true, force: true });
    unguardPrefix();
    throw error;
  }
  return new StartedNginxHandle(restartable, {
    binary,
    host,
    prefix,
    originalPorts: launcher.originalPorts,
    extras: launcher.extras,
    keep: options.keepPrefix === true,
    unguardPrefix,
  });
}
