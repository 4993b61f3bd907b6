// The services tests ask for themselves (Vitest fixtures, Jest's per-test helper): one
// instance per kind and worker slot, kept for the whole run. A test's own options are
// applied by restarting that instance: nginx with the new configuration on the same port
// and prefix; the other kinds by a new instance in place of the old one.
import { RebindError } from '@rebind/core';
import { invalidOption } from '@rebind/core/internal';
import type { StartNginxOptions, StartedNginx } from '@rebind/nginx';
import type { ServiceEndpoint } from './client.js';
import { serviceKinds, type ServiceKind } from './declaration.js';
import type { ServiceInstance } from './service-instance.js';
import { startInstance } from './start-instance.js';

/** What a test asks for: `{ kind: 'nginx', options: { snippet } }`. */
export interface FixtureRequest {
  readonly kind: ServiceKind;
  readonly options: Readonly<Record<string, unknown>>;
}

interface FixtureSlot {
  readonly kind: ServiceKind;
  /** nginx's own handle (restarted with new configurations); else the generic instance. */
  nginx?: StartedNginx;
  instance?: ServiceInstance;
  /** The options that are not configuration (binary, host...): a change needs a new start. */
  fixed: string;
  generation: number;
}

const configKeys = new Set(['config', 'snippet', 'httpConfig', 'mainConfig', 'userFiles']);

const fixedPart = (options: Readonly<Record<string, unknown>>) =>
  JSON.stringify(Object.entries(options).filter(([key]) => !configKeys.has(key)));

export function validateFixtureRequest(value: unknown): FixtureRequest {
  const request = value as Partial<FixtureRequest> | undefined;
  if (!serviceKinds.includes(request?.kind as ServiceKind))
    throw invalidOption(
      'kind',
      `one of ${serviceKinds.map((k) => `'${k}'`).join(', ')}`,
      request?.kind,
    );
  const options = request?.options;
  if (typeof options !== 'object' || options === null || Array.isArray(options))
    throw invalidOption(`${request?.kind} options`, 'an object', options);
  return request as FixtureRequest;
}

export class FixtureSlots {
  readonly #slots = new Map<string, FixtureSlot>();
  readonly #labels: Readonly<Record<string, string>>;
  readonly pids = new Set<number>();
  constructor(labels: Readonly<Record<string, string>>) {
    this.#labels = labels;
  }

  /** Restarts the slot's instance of `request.kind` with `request.options` (starts it first time). */
  async configure(
    slot: number,
    request: FixtureRequest,
  ): Promise<{ endpoint: ServiceEndpoint; restarted: boolean }> {
    const key = `${request.kind}#${slot}`;
    const existing = this.#slots.get(key);
    const fixed = fixedPart(request.options);
    if (request.kind === 'nginx' && existing?.nginx && existing.fixed === fixed) {
      await existing.nginx.restart(request.options);
      existing.generation += 1;
      return { endpoint: this.#endpoint(existing, slot), restarted: true };
    }
    // First use, another kind of change (binary, host...) or another kind of service.
    const port = existing?.nginx?.port;
    if (existing) {
      this.#slots.delete(key);
      await (existing.nginx ?? existing.instance)?.stop();
    }
    const entry: FixtureSlot = { kind: request.kind, fixed, generation: 1 };
    if (request.kind === 'nginx') {
      const { startNginx } = await import('@rebind/nginx');
      entry.nginx = await startNginx({
        ...(port === undefined ? {} : { port }),
        // rebind holds the port's socket and hands it to each new nginx: a test's restart
        // starts the new instance while the old one stops, instead of after.
        restartStrategy: 'inherit',
        ...(request.options as StartNginxOptions),
      });
    } else {
      entry.instance = await startInstance({
        service: {
          name: request.kind,
          kind: request.kind,
          options: request.options,
          pristine: 'per-test',
          rerun: 'keep',
        },
        slot,
        labels: this.#labels,
      });
    }
    this.#slots.set(key, entry);
    return { endpoint: this.#endpoint(entry, slot), restarted: existing !== undefined };
  }

  /** The error log of the slot's nginx: only the current instance's lines. */
  async errorLog(slot: number): Promise<string> {
    const nginx = this.#slots.get(`nginx#${slot}`)?.nginx;
    if (nginx === undefined)
      throw new RebindError(
        'REBIND_INVALID_OPTION',
        `Worker slot ${slot} has no nginx: ask for one (the \`nginx\` fixture or helper) before reading its error log.`,
      );
    return nginx.errorLog();
  }

  #endpoint(entry: FixtureSlot, slot: number): ServiceEndpoint {
    const address = entry.nginx
      ? {
          host: entry.nginx.host,
          port: entry.nginx.port,
          ports: entry.nginx.ports,
          url: entry.nginx.url,
          pid: entry.nginx.pid,
          token: entry.nginx.token,
          prefix: entry.nginx.prefix,
        }
      : (entry.instance as ServiceInstance).address();
    if (address.pid !== undefined) this.pids.add(address.pid);
    return {
      service: entry.kind,
      slot,
      ...address,
      token: address.token ?? `${entry.kind}/${slot}/${entry.generation}`,
    };
  }

  async stop(): Promise<void> {
    const all = [...this.#slots.values()];
    this.#slots.clear();
    const results = await Promise.allSettled(
      all.map((e) => (e.nginx ?? e.instance)?.stop() ?? Promise.resolve()),
    );
    const failed = results.find((r) => r.status === 'rejected');
    if (failed) throw failed.reason;
  }
}
