import { randomBytes } from 'node:crypto';
import { chmodSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import {
  createLogger,
  getWatchdog,
  isRebindError,
  startProcess,
  startRestartable,
  restartStrategies,
  type RestartPlan,
  type RestartStrategy,
  type Restartable,
  type StartedProcess,
} from '@rebind/core';
import {
  invalidOption,
  isLoopback,
  validateSignal,
  validateStrategy,
  validateTimeout,
  writeFailure,
} from '@rebind/core/internal';
import { findNginx, type NginxBinary } from './find-nginx.js';
import { BIND_FAILURE, bindFailureError, configError } from './nginx-errors.js';
import { loadSource, type NginxSource } from './nginx-source.js';
import {
  pickConfig,
  validateConfigOptions,
  writeUserFiles,
  type NginxConfigOptions,
} from './nginx-spec.js';
import { reloadNginx } from './reload-nginx.js';
import { listenPorts, renderConfig, type LineMap } from './render-config.js';
import { binaryDefaults } from './binary-defaults.js';
import { StartedNginxHandle } from './started-nginx.js';
import { leaseExtraPort, type ExtraPort } from './extra-port.js';
import { makePrivatePrefix } from './private-prefix.js';
import { readyCheck, readyTarget, type ReadyTarget } from './ready-check.js';

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
  /** Ms to wait for the instance to answer. @default 10000 */
  readonly readyTimeout?: number;
  /** Grace period in ms after SIGQUIT (stop()) or SIGTERM (a restart) before SIGKILL. @default 5000 */
  readonly stopTimeout?: number;
  /** Keep the private prefix directory after stop(). @default false */
  readonly keepPrefix?: boolean;
  readonly signal?: AbortSignal;
}

/**
 * Options of one restart. Any of `config`, `snippet`, `httpConfig`, `mainConfig`,
 * `userFiles` replaces the whole configuration from this restart on (on the same port
 * and prefix): `restart({ snippet: 'location / { return 204; }' })`.
 */
export interface RestartNginxOptions extends NginxConfigOptions {
  /** This restart's strategy. @default the instance's `restartStrategy` */
  readonly strategy?: RestartStrategy;
  readonly signal?: AbortSignal;
}

/** A running nginx from {@link startNginx}. */
export interface StartedNginx {
  /** The master's pid (changes on restart, except `'reload'`). */
  readonly pid: number;
  /** The port of the first listen. */
  readonly port: number;
  /** Every listen port of your config -> the port this instance binds. */
  readonly ports: Readonly<Record<string, number>>;
  readonly host: string;
  /** `http://127.0.0.1:<port>/` */
  readonly url: string;
  /** The private prefix directory (conf/, logs/, temp/). */
  readonly prefix: string;
  /** The current instance's token (served at `/.rebind-ready` with Host `rebind-ready.invalid`). */
  readonly token: string | undefined;
  readonly binary: NginxBinary;
  /** Restarts; resolves when the new instance is proven to answer and the old one is gone. */
  restart(options?: RestartNginxOptions): Promise<void>;
  /** Stops nginx (SIGQUIT, SIGKILL after `stopTimeout`), removes the prefix. Idempotent. */
  stop(): Promise<void>;
  /** The current instance's lines of the error log (those written since it started). */
  errorLog(): Promise<string>;
  /** nginx's stdout and stderr. */
  output(): string;
  [Symbol.asyncDispose](): Promise<void>;
}

export interface NginxInstance {
  readonly process: StartedProcess;
  readonly token: string | undefined;
  readonly port: number;
  readonly lines: LineMap;
  /** The error log's size when this instance started: its own lines follow. */
  readonly logStart: number;
}

const log = createLogger('nginx');

function logSince(path: string, start: number): string {
  try {
    return readFileSync(path).subarray(start).toString('utf8');
  } catch {
    return '';
  }
}

function fileSize(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

function validate(options: StartNginxOptions): void {
  if (typeof options !== 'object' || options === null)
    throw invalidOption('options', 'an object', options);
  validateConfigOptions(options);
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
  // What the next start renders: a restart with new configuration pieces replaces it.
  const spec = { current: pickConfig(options) };
  let source: NginxSource = loadSource(spec.current);
  let fresh = true;
  const host = options.host ?? '127.0.0.1';
  const defaults = binaryDefaults(binary);
  const originalPorts = listenPorts(source.directives);
  const prefix = await makePrivatePrefix();
  // Removed by stop(), or by the watchdog if this process dies first.
  const unguardPrefix =
    options.keepPrefix === true ? () => undefined : (await getWatchdog()).guardDirectory(prefix);
  const extras: ExtraPort[] = [];
  let restartable: Restartable<NginxInstance> | undefined;
  try {
    for (const original of originalPorts.slice(1))
      extras.push(await leaseExtraPort(host, original));
    const conf = join(prefix, 'conf', 'nginx.conf');
    const errorLogPath = join(prefix, 'logs', 'error.log');
    const hasHttp = () => source.directives.some((d) => d.name === 'http');

    // Every start and reload re-reads your config (and its includes), so that an edit
    // between tests is picked up; a new listen port gets its own allocated port.
    const reread = async () => {
      if (!fresh) source = loadSource(spec.current);
      fresh = false;
      // A replaced config's first listen is the main port's (kept in place: the handle reads it).
      originalPorts.splice(0, originalPorts.length, ...listenPorts(source.directives));
      for (const original of originalPorts) {
        if (original === originalPorts[0] || extras.some((e) => e.original === original)) continue;
        extras.push(await leaseExtraPort(host, original));
      }
    };

    const render = (plan: RestartPlan, target: ReadyTarget) => {
      const portMap = new Map<number, number>();
      for (const e of extras) portMap.set(e.original, e.port);
      portMap.set(originalPorts[0] ?? 80, plan.port);
      return renderConfig(source.directives, {
        prefix,
        host,
        portMap,
        mainPort: plan.port,
        reuseport: plan.reuseport,
        extraReuseport: extras.length > 0 && isLoopback(plan.host),
        token: target.token,
        readySocket: 'socketPath' in target ? target.socketPath : undefined,
        addUser: defaults.addUser,
        tempPaths: defaults.tempPaths,
        compiledPrefix: defaults.compiledPrefix,
      });
    };

    const start = async (plan: RestartPlan, signal?: AbortSignal): Promise<NginxInstance> => {
      await reread();
      const target = readyTarget(prefix, randomBytes(8).toString('hex'), host, plan.port);
      const { text, lines } = render(plan, target);
      // Sync on purpose: a thread-pool round trip costs milliseconds on a loaded machine.
      try {
        writeFileSync(conf, text, { mode: 0o600 });
        writeUserFiles(prefix, spec.current.userFiles);
      } catch (error) {
        throw writeFailure(error, conf, "nginx's rendered config");
      }
      const logStart = fileSize(errorLogPath);
      let bindLine: string | undefined;
      let output = '';
      let reportBindFailure: (line: string) => void = () => undefined;
      const failed = new Promise<never>((_, reject) => {
        reportBindFailure = (line) => reject(new Error(line));
      });
      failed.catch(() => undefined);
      let proc: StartedProcess;
      try {
        proc = await startProcess({
          command: binary.path,
          args: [
            '-p',
            `${prefix}/`,
            '-c',
            conf,
            ...(binary.supportsErrorLogFlag ? ['-e', errorLogPath] : []),
          ],
          env: { NGINX: plan.socket ? `3;` : undefined },
          extraFds: plan.socket ? [plan.socket.fd] : [],
          onOutput: (chunk) => {
            if (output.length < 65536) output += chunk;
            if (bindLine !== undefined) return;
            bindLine = BIND_FAILURE.exec(output)?.[0];
            if (bindLine !== undefined) reportBindFailure(bindLine);
          },
          ready: readyCheck({
            port: plan.port,
            target: hasHttp() ? target : undefined,
            failure: () => bindLine,
            failed,
          }),
          readyInterval: 1,
          readyTimeout: options.readyTimeout ?? 10_000,
          stop: { signal: 'SIGQUIT', timeout: options.stopTimeout ?? 5000 },
          signal,
        });
      } catch (error) {
        if (bindLine !== undefined)
          throw await bindFailureError(
            bindLine,
            { port: plan.port, host, reusePort: plan.reuseport },
            output,
          );
        if (isRebindError(error, 'REBIND_PROCESS_EXITED'))
          // The exit event can come before nginx's stderr is read: its error log (written
          // before it exits) has the same [emerg] line.
          throw (
            configError(output, conf, lines) ??
            configError(logSince(errorLogPath, logStart), conf, lines) ??
            error
          );
        throw error;
      }
      // nginx makes unix sockets 0666 when it binds them; run/ is private, and so is this.
      if (hasHttp() && 'socketPath' in target) chmodSync(target.socketPath, 0o600);
      log('[nginx:%d] master %d ready (%s)', plan.port, proc.pid, plan.strategy);
      return {
        process: proc,
        token: hasHttp() ? target.token : undefined,
        port: plan.port,
        lines,
        logStart,
      };
    };

    restartable = await startRestartable<NginxInstance>(
      {
        name: 'nginx',
        strategies: restartStrategies,
        start,
        // A restart stops the old instance fast (TERM): a request still in flight belongs to
        // a test that is over, and a graceful QUIT would wait for it (a half-sent request:
        // up to client_header_timeout, 60 s), charging the next test. stop() stays graceful.
        stop: (instance, reason) =>
          instance.process.stop(
            reason === 'restart'
              ? { signal: 'SIGTERM', timeout: options.stopTimeout ?? 5000 }
              : undefined,
          ),
        reload: async (instance, plan, signal) =>
          reloadNginx(instance, {
            reread,
            render: (target) => render(plan, target),
            target: (token) => readyTarget(prefix, token, host, plan.port),
            conf,
            errorLogPath,
            timeout: options.readyTimeout ?? 10_000,
            signal,
          }),
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
    await Promise.all(extras.map((e) => e.release()));
    // keepPrefix keeps the rendered copy a config error names
    if (options.keepPrefix !== true) await rm(prefix, { recursive: true, force: true });
    unguardPrefix();
    throw error;
  }
  return new StartedNginxHandle(restartable, {
    binary,
    host,
    prefix,
    originalPorts,
    extras,
    keep: options.keepPrefix === true,
    unguardPrefix,
    reconfigure: (next) => void (spec.current = next),
  });
}
