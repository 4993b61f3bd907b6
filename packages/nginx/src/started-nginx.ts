import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Restartable } from '@rebind/core';
import type { ExtraPort } from './extra-port.js';
import type { NginxBinary } from './find-nginx.js';
import {
  hasConfig,
  pickConfig,
  validateConfigOptions,
  type NginxConfigOptions,
} from './nginx-spec.js';
import type { NginxInstance, RestartNginxOptions, StartedNginx } from './start-nginx.js';

/** The handle {@link startNginx} returns: a view over the restartable's current instance. */
export class StartedNginxHandle implements StartedNginx {
  #stopped: Promise<void> | undefined;
  constructor(
    readonly restartable: Restartable<NginxInstance>,
    readonly info: {
      readonly binary: NginxBinary;
      readonly host: string;
      readonly prefix: string;
      readonly originalPorts: readonly number[];
      readonly extras: readonly ExtraPort[];
      readonly keep: boolean;
      readonly unguardPrefix: () => void;
      /** Replaces what the next start renders. */
      readonly reconfigure: (next: NginxConfigOptions) => void;
    },
  ) {}

  get pid() {
    return this.restartable.instance.process.pid;
  }
  get port() {
    return this.restartable.plan.port;
  }
  get ports() {
    const ports: Record<string, number> = {
      [String(this.info.originalPorts[0] ?? this.port)]: this.port,
    };
    for (const e of this.info.extras) ports[String(e.original)] = e.port;
    return ports;
  }
  get host() {
    return this.info.host;
  }
  get url() {
    const host = this.info.host.includes(':') ? `[${this.info.host}]` : this.info.host;
    return `http://${host}:${this.port}/`;
  }
  get prefix() {
    return this.info.prefix;
  }
  get token() {
    return this.restartable.instance.token;
  }
  get binary() {
    return this.info.binary;
  }
  async restart(options: RestartNginxOptions = {}): Promise<void> {
    if (hasConfig(options)) {
      validateConfigOptions(options);
      this.info.reconfigure(pickConfig(options));
    }
    await this.restartable.restart({ strategy: options.strategy, signal: options.signal });
  }
  output(): string {
    return this.restartable.instance.process.output();
  }
  /** The current instance's lines of the error log (those written since it started). */
  async errorLog(): Promise<string> {
    const start = this.restartable.current?.logStart ?? 0;
    const all = await readFile(join(this.info.prefix, 'logs', 'error.log')).catch(() =>
      Buffer.alloc(0),
    );
    return all.subarray(start).toString('utf8');
  }
  stop(): Promise<void> {
    this.#stopped ??= (async () => {
      try {
        await this.restartable.stop();
      } finally {
        await Promise.all(this.info.extras.map((e) => e.release()));
        if (!this.info.keep) await rm(this.info.prefix, { recursive: true, force: true });
        this.info.unguardPrefix();
      }
    })();
    return this.#stopped;
  }
  [Symbol.asyncDispose](): Promise<void> {
    return this.stop();
  }
}
