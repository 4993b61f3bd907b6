import { isIP } from 'node:net';
import { bindableFrom, judge } from './explain.js';
import { loadBackend } from './platform/index.js';
import type { PlatformBackend } from './platform/backend.js';
import type { Bindable, PortReport } from './port-report.js';
import { bindProbe } from '../net/probe.js';
import { invalidOption, throwIfAborted, validatePort, validateSignal } from '../validate.js';
import { anyValue, type Schema } from '../options/rules.js';
import { validateOptions } from '../options/validate-options.js';

export interface InspectPortOptions {
  /**
   * The address a server would bind. Decides which sockets conflict and where the bind
   * probes run. Default: both wildcards, `0.0.0.0` and `::`, as a server without a host does.
   */
  readonly host?: string;
  /** Look up the processes holding the sockets (and containers behind docker-proxy). @default true */
  readonly owners?: boolean;
  /** Ask the Docker engine which container a docker-proxy serves. @default true */
  readonly docker?: boolean;
  /** The OS back end to use. @default process.platform */
  readonly platform?: string;
  readonly signal?: AbortSignal;
}

/** Validates a `host` option: an IP literal. */
export function validateHost(value: unknown, name = 'host'): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || isIP(value.replace(/^\[|\]$/g, '')) === 0) {
    throw invalidOption(name, 'an IPv4 or IPv6 address such as `127.0.0.1` or `::`', value);
  }
  return value.replace(/^\[|\]$/g, '');
}

function validateBoolean(value: unknown, name: string): boolean | undefined {
  if (value === undefined || typeof value === 'boolean') return value;
  throw invalidOption(name, 'a boolean', value);
}

/** Runs the SO_REUSEADDR bind probes (never listening) for `host` or both wildcards. */
export async function probeBindable(
  port: number,
  sockets: Parameters<typeof bindableFrom>[1],
  host?: string,
): Promise<Bindable> {
  const addresses = host === undefined ? ['0.0.0.0', '::'] : [host];
  const probes = [];
  for (const address of addresses) probes.push({ address, result: await bindProbe(address, port) });
  return bindableFrom(probes, sockets, host);
}

// Each option is checked in inspectPort, where it is read.
const schema: Schema = {
  host: anyValue,
  owners: anyValue,
  docker: anyValue,
  platform: anyValue,
  signal: anyValue,
};

/**
 * Who holds `port`, in what state, whether a new server could bind it, and why not.
 *
 *   const report = await inspectPort(8080);
 *   report.verdict; // 'listening'
 *   report.explanation; // 'Port 8080 is in use: pid 812 (python3 -m http.server 8080) listens on ...'
 */
export async function inspectPort(
  port: number,
  options: InspectPortOptions = {},
): Promise<PortReport> {
  validatePort(port);
  validateOptions(options, schema, { path: '', owner: 'inspectPort' });
  const host = validateHost(options.host);
  const withOwners = validateBoolean(options.owners, 'owners') ?? true;
  const docker = validateBoolean(options.docker, 'docker') ?? true;
  if (options.platform !== undefined && typeof options.platform !== 'string') {
    throw invalidOption('platform', 'a platform name such as `linux`', options.platform);
  }
  const signal = validateSignal(options.signal);
  const backend = await loadBackend(options.platform);
  return inspectWith(backend, port, { host, owners: withOwners, docker, signal });
}

/** {@link inspectPort} on a given back end (the dispatch is bypassed in tests). */
export async function inspectWith(
  backend: PlatformBackend,
  port: number,
  options: {
    host?: string;
    owners: boolean;
    docker: boolean;
    signal?: AbortSignal;
    pids?: readonly number[];
  },
): Promise<PortReport> {
  throwIfAborted(options.signal, `inspectPort(${port})`);
  const ownerOptions = { docker: options.docker, ...(options.pids ? { pids: options.pids } : {}) };
  let sockets = await backend.listSockets(port);
  let owners: PortReport['owners'] = [];
  if (options.owners && sockets.length > 0) {
    ({ sockets, owners } = await backend.findOwners(sockets, ownerOptions));
  }
  throwIfAborted(options.signal, `inspectPort(${port})`);
  const bindable = await probeBindable(port, sockets, options.host);
  const { verdict, explanation } = judge(
    port,
    sockets,
    owners,
    bindable,
    backend.facts(),
    options.host,
  );
  return { port, sockets, owners, bindable, verdict, explanation };
}
