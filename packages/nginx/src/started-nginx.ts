// The handle startNginx returns: core's one handle shape over the restartable nginx, plus
// what is nginx's own (prefix, binary, errorLog(), output()).
import { readFile, rm } from 'node:fs/promises';
import type { RestartOptions, Restartable, ServiceHandle, StartedProcess } from '@rebind/core';
import { RestartableHandle } from '@rebind/core/internal';
import type { ExtraPort } from './extra-port.js';
import type { NginxBinary } from './find-nginx.js';
import {
  hasConfig,
  pickConfig,
  validateRestartOptions,
  type NginxConfigOptions,
} from './nginx-spec.js';
import type { LineMap } from './render-config.js';

/**
 * What `restart()` takes: core's {@link RestartOptions}, plus configuration pieces. Any of
 * `config`, `snippet`, `httpConfig`, `mainConfig`, `userFiles` replaces the whole
 * configuration from this restart on (on the same port and prefix):
 * `restart({ snippet: 'location / { return 204; }' })`.
 */
export interface RestartNginxOptions extends RestartOptions, NginxConfigOptions {}

/** A running nginx from {@link startNginx}: core's {@link ServiceHandle} plus nginx's own members. */
export interface StartedNginx extends ServiceHandle {
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
  /**
   * The current instance's lines of the error log: those written since it started (with a
   * standby, each instance has a log of its own).
   */
  errorLog(): Promise<string>;
  /**
   * The current instance's lines of the access log: the requests it served (with a
   * standby, each instance has a log of its own, so none served by the one before). Empty
   * when your `http` block sets its own `access_log`.
   */
  accessLog(): Promise<string>;
  /** nginx's stdout and stderr. */
  output(): string;
}

/** One nginx instance (a master process tree) as the restarter holds it. */
export interface NginxInstance {
  readonly process: StartedProcess;
  readonly token: string | undefined;
  readonly port: number;
  readonly lines: LineMap;
  /** The error log's size when this instance started: its own lines follow. */
  readonly logStart: number;
  /** Its error log (its own with a standby, else the prefix's logs/error.log). */
  readonly errorLogPath: string;
  /** Its pid file (its own with a standby, else logs/nginx.pid or logs/nginx.next.pid). */
  readonly pidPath: string;
  /** The access log's size when this instance started. */
  readonly accessLogStart: number;
  /** Its access log (its own with a standby, else the prefix's logs/access.log). */
  readonly accessLogPath: string;
  /** The config it was started from, with a standby (see NginxLauncher#isStale). */
  readonly sourceKey: string;
}

export interface NginxHandleInfo {
  readonly binary: NginxBinary;
  readonly host: string;
  readonly prefix: string;
  readonly originalPorts: readonly number[];
  readonly extras: readonly ExtraPort[];
  readonly keep: boolean;
  readonly unguardPrefix: () => void;
  /** Ends the shell forked ahead for the next start. */
  readonly dropPrefork: () => void;
  /** Replaces what the next start renders. */
  readonly reconfigure: (next: NginxConfigOptions) => void;
  /** The error log of the instance started last (errorLog() once none is current). */
  readonly lastErrorLog: () => string;
  /** The access log of the instance started last (accessLog() once none is current). */
  readonly lastAccessLog: () => string;
}

/** The handle {@link startNginx} returns: a view over the restartable's current instance. */
export class StartedNginxHandle extends RestartableHandle<NginxInstance> implements StartedNginx {
  constructor(
    restartable: Restartable<NginxInstance>,
    readonly info: NginxHandleInfo,
  ) {
    super(restartable, {
      host: info.host,
      port: (_, plan) => plan.port,
      ports: (_, plan) => {
        const ports: Record<string, number> = {
          [String(info.originalPorts[0] ?? plan.port)]: plan.port,
        };
        for (const e of info.extras) ports[String(e.original)] = e.port;
        return ports;
      },
      token: (instance) => instance.token,
      pid: (instance) => instance.process.pid,
      cleanup: async () => {
        try {
          await Promise.all(info.extras.map((e) => e.release()));
          if (!info.keep) await rm(info.prefix, { recursive: true, force: true });
        } finally {
          info.dropPrefork();
          info.unguardPrefix();
        }
      },
    });
  }

  override get pid(): number {
    return this.instance.process.pid;
  }
  override get port(): number {
    return this.restartable.plan.port;
  }
  get prefix(): string {
    return this.info.prefix;
  }
  get binary(): NginxBinary {
    return this.info.binary;
  }
  override async restart(options: RestartNginxOptions = {}): Promise<void> {
    validateRestartOptions(options);
    const { strategy, signal } = options;
    // Every kind restarts through the one handle path (RestartableHandle.restart).
    if (!hasConfig(options)) {
      await super.restart({ strategy, signal, discardStandby: options.discardStandby });
      return;
    }
    this.info.reconfigure(pickConfig(options));
    // A prepared standby runs the old configuration.
    await super.restart({ strategy, signal, discardStandby: true });
  }
  output(): string {
    return this.instance.process.output();
  }
  /** The current instance's lines of the error log (those written since it started). */
  async errorLog(): Promise<string> {
    const current = this.restartable.current;
    const all = await readFile(current?.errorLogPath ?? this.info.lastErrorLog()).catch(() =>
      Buffer.alloc(0),
    );
    return all.subarray(current?.logStart ?? 0).toString('utf8');
  }
  /** The current instance's lines of the access log (the requests it served). */
  async accessLog(): Promise<string> {
    const current = this.restartable.current;
    const all = await readFile(current?.accessLogPath ?? this.info.lastAccessLog()).catch(() =>
      Buffer.alloc(0),
    );
    return all.subarray(current?.accessLogStart ?? 0).toString('utf8');
  }
}
