import { RebindError } from '@rebind/core';
import { invalidOption } from '@rebind/core/internal';

/**
 * How pristine a service is for the tests that use it:
 * - `'per-test'`: a fresh instance before every test (each worker has its own instance,
 *   restarted with the manager's restart strategy before each test but the first);
 * - `'per-worker'`: one instance per worker slot, each on its own port, kept across tests;
 * - `'shared'`: one instance for the whole run, shared by every worker.
 */
export type Pristine = 'per-test' | 'per-worker' | 'shared';
export const pristinePolicies: readonly Pristine[] = ['per-test', 'per-worker', 'shared'];

/** What a watch-mode rerun does with running instances. */
export type RerunPolicy = 'keep' | 'restart';

/** A service run as a command: any server that listens on the port it is given. */
export interface CommandServiceOptions {
  /** The program to run (a path, or a name looked up in PATH). */
  readonly command: string;
  /** Its arguments; `{port}` and `{host}` in an argument are replaced. @default [] */
  readonly args?: readonly string[];
  /** Working directory. @default process.cwd() */
  readonly cwd?: string;
  /** Extra environment; `PORT` and `HOST` are always set. @default {} */
  readonly env?: Readonly<Record<string, string>>;
  /** The address it listens on. @default '127.0.0.1' */
  readonly host?: string;
  /**
   * Ready when a GET of this path answers 2xx/3xx (cheaper than the default check: the
   * port in LISTEN state, held by the started process tree). @default undefined
   */
  readonly readyPath?: string;
  /** How long it may take to listen, in ms. @default 10_000 */
  readonly startTimeout?: number;
}

/**
 * One declared service. Exactly one of `nginx`, `container`, `compose` or `command`; the
 * value is the options object of that manager (`startNginx`, `startContainer`,
 * `startCompose`, or a command), so it must be serialisable (no functions).
 */
export interface ServiceDeclaration {
  readonly nginx?: Readonly<Record<string, unknown>>;
  readonly container?: Readonly<Record<string, unknown>>;
  /** startCompose's options plus `endpoint: { service, port }`: what tests reach. */
  readonly compose?: Readonly<Record<string, unknown>>;
  readonly command?: CommandServiceOptions;
  /** @default 'per-test' */
  readonly pristine?: Pristine;
  /** What a watch-mode rerun does: restart every instance, or keep them. @default 'restart' */
  readonly rerun?: RerunPolicy;
}

export type ServiceKind = 'nginx' | 'container' | 'compose' | 'command';
export const serviceKinds: readonly ServiceKind[] = ['nginx', 'container', 'compose', 'command'];

/** The options of the adapters' setup: the services to run and what to do around them. */
export interface RebindOptions {
  /**
   * The declared services, by name (the name tests use to find their endpoint). None
   * when tests ask for their own servers (fixtures, Jest's `nginx()` helper). @default {}
   */
  readonly services?: Readonly<Record<string, ServiceDeclaration>>;
  /**
   * Remove containers left by crashed earlier runs (whose owner process is gone) before
   * starting. Processes need no such pass: the core watchdog kills them when their owner
   * dies. @default true
   */
  readonly removeStale?: boolean;
  /** Print one summary line at teardown (tests, restarts, median restart, leftovers). @default false */
  readonly summary?: boolean;
}

/** A declaration with every default applied. */
export interface ResolvedService {
  readonly name: string;
  readonly kind: ServiceKind;
  readonly options: Readonly<Record<string, unknown>>;
  readonly pristine: Pristine;
  readonly rerun: RerunPolicy;
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function validateCommand(name: string, value: Record<string, unknown>): void {
  const at = `services.${name}.command`;
  if (typeof value.command !== 'string' || value.command === '')
    throw invalidOption(`${at}.command`, 'a non-empty string', value.command);
  if (
    value.args !== undefined &&
    (!Array.isArray(value.args) || !value.args.every((a) => typeof a === 'string'))
  )
    throw invalidOption(`${at}.args`, 'an array of strings', value.args);
  if (value.cwd !== undefined && typeof value.cwd !== 'string')
    throw invalidOption(`${at}.cwd`, 'a string', value.cwd);
  if (
    value.env !== undefined &&
    (!isObject(value.env) || !Object.values(value.env).every((v) => typeof v === 'string'))
  )
    throw invalidOption(`${at}.env`, 'an object of strings', value.env);
  if (value.host !== undefined && (typeof value.host !== 'string' || value.host === ''))
    throw invalidOption(`${at}.host`, 'a non-empty string', value.host);
  if (
    value.readyPath !== undefined &&
    (typeof value.readyPath !== 'string' || !value.readyPath.startsWith('/'))
  )
    throw invalidOption(`${at}.readyPath`, 'a path starting with `/`', value.readyPath);
  if (
    value.startTimeout !== undefined &&
    (typeof value.startTimeout !== 'number' || !(value.startTimeout >= 0))
  )
    throw invalidOption(`${at}.startTimeout`, 'a number of milliseconds >= 0', value.startTimeout);
}

function assertSerialisable(path: string, value: unknown): void {
  if (typeof value === 'function' || typeof value === 'symbol' || typeof value === 'bigint')
    throw new RebindError(
      'REBIND_INVALID_OPTION',
      `Expected the \`${path}\` option to be serialisable (no functions, symbols or bigints: Vitest's \`provide\` and Jest's config pass it to other processes), got a ${typeof value}.`,
      { details: { option: path } },
    );
  if (Array.isArray(value)) value.forEach((v, i) => assertSerialisable(`${path}[${i}]`, v));
  else if (isObject(value))
    for (const [k, v] of Object.entries(value)) assertSerialisable(`${path}.${k}`, v);
}

/** Validates the adapters' options once, at the public boundary, and applies defaults. */
export function resolveServices(options: unknown): ResolvedService[] {
  if (!isObject(options)) throw invalidOption('options', 'an object', options);
  // No services: the run only has the ones tests ask for (fixtures, Jest's helper).
  if (options.services !== undefined && !isObject(options.services))
    throw invalidOption('services', 'an object of services by name', options.services);
  if (options.removeStale !== undefined && typeof options.removeStale !== 'boolean')
    throw invalidOption('removeStale', 'a boolean', options.removeStale);
  if (options.summary !== undefined && typeof options.summary !== 'boolean')
    throw invalidOption('summary', 'a boolean', options.summary);
  const resolved: ResolvedService[] = [];
  for (const [name, declaration] of Object.entries(options.services ?? {})) {
    if (!/^[\w.-]+$/.test(name))
      throw invalidOption('services', 'keyed by names of letters, digits, `_`, `.` or `-`', name);
    if (!isObject(declaration)) throw invalidOption(`services.${name}`, 'an object', declaration);
    const kinds = serviceKinds.filter((k) => declaration[k] !== undefined);
    if (kinds.length !== 1)
      throw invalidOption(
        `services.${name}`,
        'an object with exactly one of `nginx`, `container`, `compose` or `command`',
        declaration,
      );
    const kind = kinds[0] as ServiceKind;
    const value = declaration[kind];
    if (!isObject(value)) throw invalidOption(`services.${name}.${kind}`, 'an object', value);
    assertSerialisable(`services.${name}.${kind}`, value);
    if (kind === 'command') validateCommand(name, value);
    if (kind === 'compose') {
      const endpoint = value.endpoint as Record<string, unknown> | undefined;
      if (
        !isObject(endpoint) ||
        typeof endpoint.service !== 'string' ||
        typeof endpoint.port !== 'number'
      )
        throw invalidOption(
          `services.${name}.compose.endpoint`,
          "the service and container port tests reach, e.g. `{ service: 'web', port: 80 }`",
          endpoint,
        );
    }
    const pristine = declaration.pristine ?? 'per-test';
    if (!pristinePolicies.includes(pristine as Pristine))
      throw invalidOption(
        `services.${name}.pristine`,
        "`'per-test'`, `'per-worker'` or `'shared'`",
        pristine,
      );
    const rerun = declaration.rerun ?? 'restart';
    if (rerun !== 'keep' && rerun !== 'restart')
      throw invalidOption(`services.${name}.rerun`, "`'keep'` or `'restart'`", rerun);
    resolved.push({ name, kind, options: value, pristine: pristine as Pristine, rerun });
  }
  return resolved;
}
