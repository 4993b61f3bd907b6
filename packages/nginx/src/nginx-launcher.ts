// One nginx instance after another for one handle: re-reads your config, renders it for
// a restart plan, starts the master (proving the new instance answers) or reloads it.
import { randomBytes } from 'node:crypto';
import { chmodSync, closeSync, openSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import {
  createLogger,
  isRebindError,
  startProcess,
  type RestartPlan,
  type StartedProcess,
} from '@rebind/core';
import { isLoopback, writeFailure } from '@rebind/core/internal';
import type { BinaryDefaults } from './binary-defaults.js';
import { leaseExtraPort, type ExtraPort } from './extra-port.js';
import type { NginxBinary } from './find-nginx.js';
import { writeFreshFile } from './fresh-file.js';
import { fileSize, logSince } from './log-since.js';
import { BIND_FAILURE, bindFailureError, configError } from './nginx-errors.js';
import { loadSource, type NginxSource } from './nginx-source.js';
import { pickConfig, type NginxConfigOptions } from './nginx-spec.js';
import { readyCheck, readyTarget, type ReadyTarget } from './ready-check.js';
import { reloadNginx } from './reload-nginx.js';
import { listenPorts, renderConfig } from './render-config.js';
import type { NginxInstance } from './started-nginx.js';
import { PlacedUserFiles } from './user-files.js';

const log = createLogger('nginx');

/** What the launcher reads of startNginx's options. */
export type LauncherOptions = NginxConfigOptions & {
  readonly readyTimeout?: number;
  readonly stopTimeout?: number;
  readonly standby?: boolean;
};

/** One instance's pid file, error log and access log. */
interface InstanceFiles {
  readonly pidPath: string;
  readonly errorLogPath: string;
  readonly accessLogPath: string;
}

export class NginxLauncher {
  #source: NginxSource;
  #fresh = true;
  /** What the next start renders: a restart with new configuration pieces replaces it. */
  #spec: NginxConfigOptions;
  #started = 0;
  /** The current config's user files in the prefix (a replaced config's are removed). */
  readonly #userFiles: PlacedUserFiles;
  readonly extras: ExtraPort[] = [];
  /**
   * The id of the shell forked ahead for the next start (core's `prefork`: a restart skips
   * the fork); ended by the handle's stop.
   */
  readonly prefork = randomBytes(8).toString('hex');
  /** Your config's listen ports; the first is the main port's (the handle reads it). */
  readonly originalPorts: number[];
  /** The current instance's rendered config; each start writes the other of two names. */
  conf: string;
  readonly errorLogPath: string;
  /** The error log of the instance started last. */
  lastErrorLog: string;
  /** The access log of the instance started last. */
  lastAccessLog: string;

  constructor(
    readonly options: LauncherOptions,
    readonly binary: NginxBinary,
    readonly defaults: BinaryDefaults,
    readonly host: string,
    readonly prefix: string,
  ) {
    this.#spec = pickConfig(options);
    this.#source = loadSource(this.#spec);
    this.originalPorts = listenPorts(this.#source.directives);
    // The first start writes conf/nginx.conf.
    this.conf = join(prefix, 'conf', 'nginx.next.conf');
    this.errorLogPath = join(prefix, 'logs', 'error.log');
    this.lastErrorLog = this.errorLogPath;
    this.lastAccessLog = join(prefix, 'logs', 'access.log');
    this.#userFiles = new PlacedUserFiles(prefix);
  }

  /** Leases a port for every listen of your config beyond the first. */
  async leaseExtras(): Promise<void> {
    for (const original of this.originalPorts.slice(1))
      this.extras.push(await leaseExtraPort(this.host, original));
  }

  /** Replaces the configuration from the next start on (same port, same prefix). */
  reconfigure(next: NginxConfigOptions): void {
    this.#spec = next;
  }

  #hasHttp(): boolean {
    return this.#source.directives.some((d) => d.name === 'http');
  }

  // Every start and reload re-reads your config (and its includes), so that an edit
  // between tests is picked up; a new listen port gets its own allocated port.
  async reread(): Promise<void> {
    if (!this.#fresh) this.#source = loadSource(this.#spec);
    this.#fresh = false;
    // A replaced config's first listen is the main port's.
    const listens = listenPorts(this.#source.directives);
    if (listens.length > 0 && listens[0] !== this.originalPorts[0])
      this.originalPorts.splice(0, this.originalPorts.length, ...listens);
    for (const original of listens) {
      if (original === this.originalPorts[0] || this.extras.some((e) => e.original === original))
        continue;
      this.extras.push(await leaseExtraPort(this.host, original));
    }
  }

  /**
   * With a standby two masters run at once: each gets its own pid file, error log and
   * access log (`logs/nginx-<n>.pid`, `logs/error-<n>.log`, `logs/access-<n>.log`), so
   * that one's logs never show the other's lines or requests. Without, the instances share
   * `logs/error.log` and `logs/access.log`, and take turns with two pid files
   * (`logs/nginx.pid`, then `logs/nginx.next.pid`, like the config): an overlapping restart
   * runs the old master beside the new one, and the old one deletes its pid file as it
   * exits (a shared one would leave the new master without one).
   *
   * The logs are created 0600 here (nginx would create them 0644; it appends to them). The
   * pid file is not: nginx opens it with O_TRUNC, and truncating an existing file makes
   * ext4 flush its data on close (auto_da_alloc), so the exiting master's unlink of it
   * then waited for that write: 2.4-2.6 ms per unlink under strace -T, and 5.0 against
   * 3.1 ms from SIGTERM to the exit event, measured here. Any leftover of it (a killed
   * master) is removed, and it is made 0600 once nginx is ready (see `start`).
   */
  #instanceFiles(next: boolean): InstanceFiles {
    const n = this.options.standby === true ? ++this.#started : undefined;
    const logs = join(this.prefix, 'logs');
    const files =
      n === undefined
        ? {
            pidPath: join(logs, next ? 'nginx.next.pid' : 'nginx.pid'),
            errorLogPath: this.errorLogPath,
            accessLogPath: join(logs, 'access.log'),
          }
        : {
            pidPath: join(logs, `nginx-${n}.pid`),
            errorLogPath: join(logs, `error-${n}.log`),
            accessLogPath: join(logs, `access-${n}.log`),
          };
    this.lastErrorLog = files.errorLogPath;
    this.lastAccessLog = files.accessLogPath;
    for (const [path, what] of [
      [files.errorLogPath, "nginx's error log"],
      [files.accessLogPath, "nginx's access log"],
    ] as const) {
      try {
        closeSync(openSync(path, 'a', 0o600));
      } catch (error) {
        throw writeFailure(error, path, what);
      }
    }
    try {
      rmSync(files.pidPath, { force: true });
    } catch (error) {
      throw writeFailure(error, files.pidPath, "nginx's pid file");
    }
    return files;
  }

  render(plan: RestartPlan, target: ReadyTarget, files?: InstanceFiles) {
    const portMap = new Map<number, number>();
    for (const e of this.extras) portMap.set(e.original, e.port);
    portMap.set(this.originalPorts[0] ?? 80, plan.port);
    return renderConfig(this.#source.directives, {
      prefix: this.prefix,
      host: this.host,
      portMap,
      mainPort: plan.port,
      reuseport: plan.reuseport,
      extraReuseport: this.extras.length > 0 && isLoopback(plan.host),
      token: target.token,
      readySocket: 'socketPath' in target ? target.socketPath : undefined,
      addUser: this.defaults.addUser,
      tempPaths: this.defaults.tempPaths,
      compiledPrefix: this.defaults.compiledPrefix,
      ...files,
    });
  }

  async start(plan: RestartPlan, signal?: AbortSignal): Promise<NginxInstance> {
    await this.reread();
    const target = readyTarget(this.prefix, randomBytes(8).toString('hex'), this.host, plan.port);
    // A new file per start (a rewrite in place costs a data flush on ext4); the previous
    // instance's copy is removed once this one is ready. Sync on purpose: a thread-pool
    // round trip costs milliseconds on a loaded machine.
    const previous = this.conf;
    const next = previous.endsWith('nginx.conf');
    const conf = join(this.prefix, 'conf', next ? 'nginx.next.conf' : 'nginx.conf');
    const files = this.#instanceFiles(next);
    const { text, lines } = this.render(plan, target, files);
    try {
      writeFreshFile(conf, text);
      this.#userFiles.place(this.#spec.userFiles);
    } catch (error) {
      throw writeFailure(error, conf, "nginx's rendered config");
    }
    const logStart = fileSize(files.errorLogPath);
    const accessLogStart = fileSize(files.accessLogPath);
    const watch = watchBindFailure();
    let proc: StartedProcess;
    try {
      proc = await startProcess({
        command: this.binary.path,
        args: [
          ...['-p', `${this.prefix}/`, '-c', conf],
          ...(this.binary.supportsErrorLogFlag ? ['-e', files.errorLogPath] : []),
        ],
        env: { NGINX: plan.socket ? `3;` : undefined },
        extraFds: plan.socket ? [plan.socket.fd] : [],
        onOutput: watch.onOutput,
        ready: readyCheck({
          port: plan.port,
          target: this.#hasHttp() ? target : undefined,
          failure: () => watch.bindLine,
          failed: watch.failed,
        }),
        readyInterval: 1,
        readyTimeout: this.options.readyTimeout ?? 10_000,
        stop: { signal: 'SIGQUIT', timeout: this.options.stopTimeout ?? 5000 },
        prefork: this.prefork,
        signal,
      });
    } catch (error) {
      if (watch.bindLine !== undefined)
        throw await bindFailureError(
          watch.bindLine,
          { port: plan.port, host: this.host, reusePort: plan.reuseport },
          watch.output,
        );
      if (isRebindError(error, 'REBIND_PROCESS_EXITED'))
        // The exit event can come before nginx's stderr is read: its error log (written
        // before it exits) has the same [emerg] line.
        throw (
          configError(watch.output, conf, lines) ??
          configError(logSince(files.errorLogPath, logStart), conf, lines) ??
          error
        );
      throw error;
    }
    // nginx makes unix sockets 0666 when it binds them; run/ is private, and so is this.
    if (this.#hasHttp() && 'socketPath' in target) chmodSync(target.socketPath, 0o600);
    // nginx wrote it (0644) before it started its workers; logs/ is private anyway.
    try {
      chmodSync(files.pidPath, 0o600);
    } catch {
      // not written (a build that writes none): nothing to protect
    }
    log('[nginx:%d] master %d ready (%s)', plan.port, proc.pid, plan.strategy);
    this.conf = conf;
    if (previous !== conf) rmSync(previous, { force: true });
    return {
      process: proc,
      token: this.#hasHttp() ? target.token : undefined,
      port: plan.port,
      lines,
      logStart,
      errorLogPath: files.errorLogPath,
      pidPath: files.pidPath,
      accessLogStart,
      accessLogPath: files.accessLogPath,
      sourceKey: this.options.standby === true ? sourceKey(this.#source) : '',
    };
  }

  /**
   * Whether your config (and its includes) changed since `instance` read it: then a
   * standby is not swapped in, and the restart starts nginx on the new config.
   */
  isStale(instance: NginxInstance): boolean {
    try {
      return sourceKey(loadSource(this.#spec)) !== instance.sourceKey;
    } catch {
      return true; // unreadable now: a plain restart reports it
    }
  }

  reload(instance: NginxInstance, plan: RestartPlan, signal?: AbortSignal): Promise<NginxInstance> {
    return reloadNginx(instance, {
      reread: async () => {
        await this.reread();
        // the reloaded config's user files, in place before the HUP
        try {
          this.#userFiles.place(this.#spec.userFiles);
        } catch (error) {
          throw writeFailure(error, this.prefix, 'the user files');
        }
      },
      // the same master: its own pid file and logs
      render: (target) =>
        this.render(plan, target, {
          pidPath: instance.pidPath,
          errorLogPath: instance.errorLogPath,
          accessLogPath: instance.accessLogPath,
        }),
      target: (token) => readyTarget(this.prefix, token, this.host, plan.port),
      conf: this.conf,
      errorLogPath: instance.errorLogPath,
      timeout: this.options.readyTimeout ?? 10_000,
      signal,
    });
  }
}

/** What a config parsed to: equal keys, equal configs. */
const sourceKey = (source: NginxSource): string => JSON.stringify(source.directives);

/** nginx's output as it arrives, and its first bind failure line (which fails the start at once). */
function watchBindFailure() {
  let reportBindFailure: (line: string) => void = () => undefined;
  const failed = new Promise<never>((_, reject) => {
    reportBindFailure = (line) => reject(new Error(line));
  });
  failed.catch(() => undefined);
  const watch = {
    output: '',
    bindLine: undefined as string | undefined,
    failed,
    onOutput: (chunk: string) => {
      if (watch.output.length < 65536) watch.output += chunk;
      if (watch.bindLine !== undefined) return;
      watch.bindLine = BIND_FAILURE.exec(watch.output)?.[0];
      if (watch.bindLine !== undefined) reportBindFailure(watch.bindLine);
    },
  };
  return watch;
}
