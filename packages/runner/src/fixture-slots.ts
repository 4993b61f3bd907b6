// The services tests ask for themselves (Vitest fixtures, Jest's per-test helper): one
// handle per kind and worker slot, kept for the whole run. A test's own options are
// applied by restarting that handle: nginx with the new configuration on the same port
// and prefix (no new allocation); the other kinds by a new instance in place of the old.
import { RebindError, type ServiceHandle } from '@rebind/core';
import { invalidOption, isLoopback, isObject } from '@rebind/core/internal';
import type { StartedNginx } from '@rebind/nginx';
import type { ServiceEndpoint } from './client.js';
import { serviceKinds, type ResolvedService, type ServiceKind } from './declaration.js';
import { startInstance } from './start-instance.js';
import { validateServiceOptions } from './validate-services.js';

/** What a test asks for: `{ kind: 'nginx', options: { snippet } }`. */
export interface FixtureRequest {
  readonly kind: ServiceKind;
  readonly options: Readonly<Record<string, unknown>>;
}

interface FixtureSlot {
  readonly kind: ServiceKind;
  readonly handle: ServiceHandle;
  /** The options that are not configuration (binary, host...): a change needs a new start. */
  readonly fixed: string;
  /** The configuration the current instance (and its standby, if any) was started with. */
  config: string;
  generation: number;
}

const configKeys = new Set(['config', 'snippet', 'httpConfig', 'mainConfig', 'userFiles']);

const fixedPart = (options: Readonly<Record<string, unknown>>) =>
  JSON.stringify(Object.entries(options).filter(([key]) => !configKeys.has(key)));

const configPart = (options: Readonly<Record<string, unknown>>) =>
  Object.fromEntries(Object.entries(options).filter(([key]) => configKeys.has(key)));

/** The request's shape: a known kind and an options object (REBIND_INVALID_OPTION). */
export function validateFixtureRequest(value: unknown): FixtureRequest {
  const request = value as Partial<FixtureRequest> | undefined;
  if (!serviceKinds.includes(request?.kind as ServiceKind))
    throw invalidOption(
      'kind',
      `one of ${serviceKinds.map((k) => `'${k}'`).join(', ')}`,
      request?.kind,
    );
  if (!isObject(request?.options))
    throw invalidOption(`${request?.kind} options`, 'an object', request?.options);
  return request as FixtureRequest;
}

/**
 * A test's restart starts the new nginx while the old one stops, on the same port: both
 * listen with SO_REUSEPORT on loopback ('reuseport'; the old one is gone before the test
 * gets its endpoint, and readiness asks the new one's own socket). Elsewhere rebind holds
 * the port's socket and hands it to each nginx ('inherit'). 'reuseport' hands nginx no
 * file descriptor, so core's small spawner process forks it, not the runner's main
 * process: Vitest's main process spent ~10.5 ms of CPU per test instead of ~14.8 (200
 * fixture restarts, 'reuseport' both ways, spawner on and off). With a standby,
 * 'fresh-port' (the standby waits on a port of its own).
 */
const nginxStrategy = (request: FixtureRequest) =>
  withStandby(request)
    ? 'fresh-port'
    : isLoopback(typeof request.options.host === 'string' ? request.options.host : '127.0.0.1')
      ? 'reuseport'
      : 'inherit';

/** nginx with its own `standby: true`: each instance on a fresh port, the next one ready. */
const withStandby = (request: FixtureRequest): boolean =>
  request.kind === 'nginx' && request.options.standby === true;

const serviceOf = (request: FixtureRequest): ResolvedService =>
  ({
    name: request.kind,
    kind: request.kind,
    options:
      request.kind === 'nginx'
        ? { restartStrategy: nginxStrategy(request), ...request.options }
        : request.options,
    pristine: 'per-test',
    rerun: 'keep',
    // A test's own server is restarted with that test's config: a standby built on the
    // previous test's config would be stale (a manager's own `standby` option still applies).
    standby: false,
  }) as ResolvedService;

export class FixtureSlots {
  readonly #slots = new Map<string, FixtureSlot>();
  readonly pids = new Set<number>();
  constructor(readonly labels: Readonly<Record<string, string>>) {}

  /** Restarts the slot's `request.kind` handle with `request.options` (starts it the first time). */
  async configure(
    slot: number,
    request: FixtureRequest,
  ): Promise<{ endpoint: ServiceEndpoint; restarted: boolean }> {
    const key = `${request.kind}#${slot}`;
    const existing = this.#slots.get(key);
    const fixed = fixedPart(request.options);
    const config = JSON.stringify(configPart(request.options));
    const service = serviceOf(request);
    await validateServiceOptions(service, '', `the \`${request.kind}\` fixture`);
    if (request.kind === 'nginx' && existing !== undefined && existing.fixed === fixed) {
      // With a standby and the same configuration as the last test: a swap. Otherwise a
      // restart on the new configuration (which discards a standby and builds a new one).
      const same = withStandby(request) && existing.config === config;
      await (existing.handle as StartedNginx).restart(same ? {} : configPart(request.options));
      existing.config = config;
      existing.generation += 1;
      return { endpoint: this.#endpoint(existing, slot), restarted: true };
    }
    // First use, another kind of change (binary, host...), or not nginx: a new instance,
    // on the old one's port when it had one.
    const port = existing?.handle.port;
    if (existing) {
      this.#slots.delete(key);
      await existing.handle.stop();
    }
    const options =
      request.kind === 'nginx' && port !== undefined && !withStandby(request)
        ? { ...service.options, port }
        : service.options;
    const handle = await startInstance({
      service: { ...service, options } as ResolvedService,
      slot,
      labels: this.labels,
    });
    const entry: FixtureSlot = { kind: request.kind, handle, fixed, config, generation: 1 };
    this.#slots.set(key, entry);
    return { endpoint: this.#endpoint(entry, slot), restarted: existing !== undefined };
  }

  /** The error log of the slot's nginx: only the current instance's lines. */
  async errorLog(slot: number): Promise<string> {
    return this.#nginx(slot, 'error').errorLog();
  }

  /** The access log of the slot's nginx: only the current instance's requests. */
  async accessLog(slot: number): Promise<string> {
    return this.#nginx(slot, 'access').accessLog();
  }

  #nginx(slot: number, log: 'error' | 'access'): StartedNginx {
    const handle = this.#slots.get(`nginx#${slot}`)?.handle as StartedNginx | undefined;
    if (handle === undefined)
      throw new RebindError(
        'REBIND_INVALID_OPTION',
        `Worker slot ${slot} has no nginx: ask for one (the \`nginx\` fixture or helper) before reading its ${log} log.`,
      );
    return handle;
  }

  #endpoint(entry: FixtureSlot, slot: number): ServiceEndpoint {
    const { handle } = entry;
    if (handle.pid !== undefined) this.pids.add(handle.pid);
    const prefix = entry.kind === 'nginx' ? (handle as StartedNginx).prefix : undefined;
    return {
      service: entry.kind,
      slot,
      host: handle.host,
      port: handle.port,
      ports: handle.ports,
      url: handle.url,
      ...(handle.pid === undefined ? {} : { pid: handle.pid }),
      ...(prefix === undefined ? {} : { prefix }),
      token: handle.token ?? `${entry.kind}/${slot}/${entry.generation}`,
    };
  }

  async stop(): Promise<void> {
    const all = [...this.#slots.values()];
    this.#slots.clear();
    const results = await Promise.allSettled(all.map((e) => e.handle.stop()));
    const failed = results.find((r) => r.status === 'rejected');
    if (failed) throw failed.reason;
  }
}
