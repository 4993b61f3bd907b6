import { rm } from 'node:fs/promises';
import {
  getWatchdog,
  startRestartable,
  restartStrategies,
  type RestartStrategy,
  type Restartable,
} from '@rebind/core';
import { dropPrefork } from '@rebind/core/internal';
import { findNginx } from './find-nginx.js';
import type { NginxConfigOptions } from './nginx-spec.js';
import { binaryDefaults } from './binary-defaults.js';
import { NginxLauncher } from './nginx-launcher.js';
import { makePrivatePrefix } from './private-prefix.js';
import { validateNginxOptions } from './validate-nginx-options.js';
import { StartedNginxHandle, type NginxInstance, type StartedNginx } from './started-nginx.js';

export interface StartNginxOptions extends NginxConfigOptions {
  /** Your nginx.conf: a path, or the configuration text. */
  readonly config?: string;
  /** A `server { }` block (or several, with other http-level directives), or a server's body. */
  readonly snippet?: string;
  /** Directives for the `http` block, before the snippet's (test-nginx's `--- http_config`). */
  readonly httpConfig?: string;
  /** Main-level directives such as `load_module` (test-nginx's `--- main_config`). */
  readonly mainConfig?: string;
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
  /**
   * Keep the next nginx started and ready on another port (needs `restartStrategy:
   * 'fresh-port'` and `port: 'auto'`): a restart only swaps it in, the old master stops in
   * the background. One more nginx runs while the handle lives. @default false
   */
  readonly standby?: boolean;
  /** Ms to wait for the instance to answer. @default 10000 */
  readonly readyTimeout?: number;
  /** Grace period in ms after SIGQUIT before SIGKILL. @default 5000 */
  readonly stopTimeout?: number;
  /** Keep the private prefix directory after stop(). @default false */
  readonly keepPrefix?: boolean;
  readonly signal?: AbortSignal;
}

/**
 * Starts a pristine nginx from your config (or a snippet) in a private prefix directory,
 * on loopback ports rebind allocates, and resolves once the new instance itself answers.
 */
export async function startNginx(options: StartNginxOptions): Promise<StartedNginx> {
  validateNginxOptions(options);
  const binary = await findNginx(options.binary);
  const host = options.host ?? '127.0.0.1';
  const prefix = await makePrivatePrefix();
  // Removed by stop(), or by the watchdog if this process dies first.
  const unguardPrefix =
    options.keepPrefix === true ? () => undefined : (await getWatchdog()).guardDirectory(prefix);
  let launcher: NginxLauncher | undefined;
  let restartable: Restartable<NginxInstance>;
  try {
    launcher = new NginxLauncher(options, binary, binaryDefaults(binary), host, prefix);
    await launcher.leaseExtras();
    const nginx = launcher;
    restartable = await startRestartable<NginxInstance>(
      {
        name: 'nginx',
        strategies: restartStrategies,
        start: (plan, signal) => nginx.start(plan, signal),
        // A restart stops the old instance fast (TERM): a request still in flight belongs to
        // a test that is over, and a graceful QUIT would wait for it (a half-sent request:
        // up to client_header_timeout, 60 s), charging the next test. stop() stays graceful.
        stop: (instance, reason) =>
          instance.process.stop(
            reason === 'restart'
              ? { signal: 'SIGTERM', timeout: options.stopTimeout ?? 5000 }
              : undefined,
          ),
        reload: (instance, plan, signal) => nginx.reload(instance, plan, signal),
        isStale: (instance) => nginx.isStale(instance),
      },
      {
        host,
        port: options.port ?? 'auto',
        strategy: options.restartStrategy ?? 'wait',
        allowUnsafeReuseport: options.allowUnsafeReuseport,
        standby: options.standby,
        signal: options.signal,
      },
    );
  } catch (error) {
    await Promise.all((launcher?.extras ?? []).map((e) => e.release()));
    // keepPrefix keeps the rendered copy a config error names
    if (options.keepPrefix !== true) await rm(prefix, { recursive: true, force: true });
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
    dropPrefork: () => dropPrefork(launcher.prefork),
    reconfigure: (next) => launcher.reconfigure(next),
    lastErrorLog: () => launcher.lastErrorLog,
    lastAccessLog: () => launcher.lastAccessLog,
  });
}
