// Type-only imports of the managers: the runner loads a manager when a service of its
// kind is first validated or started (validate-services.ts, start-instance.ts).
import type { StartComposeOptions, StartContainerOptions } from '@rebind/docker';
import type { StartNginxOptions } from '@rebind/nginx';
import { RebindError } from '@rebind/core';
import {
  invalidOption,
  isObject,
  nonEmptyString,
  oneOf,
  port,
  required,
  rule,
  string,
  stringArray,
  stringRecord,
  timeout,
  validateOptions,
  type Schema,
} from '@rebind/core/internal';

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

/** Which port of which compose service tests reach: `{ service: 'web', port: 80 }`. */
export interface ComposeEndpoint {
  readonly service: string;
  /** The service's container port. */
  readonly port: number;
}

/** A compose service: startCompose's options plus the endpoint tests reach. */
export type ComposeServiceOptions = StartComposeOptions & { readonly endpoint: ComposeEndpoint };

/** The options of each kind of service: the managers' own option types. */
export interface ServiceOptionsByKind {
  readonly nginx: StartNginxOptions;
  readonly container: StartContainerOptions;
  readonly compose: ComposeServiceOptions;
  readonly command: CommandServiceOptions;
}

/**
 * One declared service. Exactly one of `nginx`, `container`, `compose` or `command`; the
 * value is the options object of that manager (`startNginx`, `startContainer`,
 * `startCompose`, or a command), so it must be serialisable (no functions, no `signal`).
 */
export interface ServiceDeclaration {
  readonly nginx?: StartNginxOptions;
  readonly container?: StartContainerOptions;
  /** startCompose's options plus `endpoint: { service, port }`: what tests reach. */
  readonly compose?: ComposeServiceOptions;
  readonly command?: CommandServiceOptions;
  /** @default 'per-test' */
  readonly pristine?: Pristine;
  /**
   * Keep the next instance started and proven ready beside the current one, so that the
   * restart between tests is a swap (see standby.ts: needs a port that moves; not with
   * `pristine: 'shared'`). One more server per worker. @default false
   */
  readonly standby?: boolean;
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
export type ResolvedService = {
  readonly [K in ServiceKind]: {
    readonly name: string;
    readonly kind: K;
    readonly options: ServiceOptionsByKind[K];
    readonly pristine: Pristine;
    readonly rerun: RerunPolicy;
    readonly standby: boolean;
  };
}[ServiceKind];

/** The options of a service of `kind` (throws if the service is of another kind). */
export function optionsOf<K extends ServiceKind>(
  service: ResolvedService,
  kind: K,
): ServiceOptionsByKind[K] {
  if (service.kind !== kind)
    throw new RebindError(
      'REBIND_INVALID_OPTION',
      `Service \`${service.name}\` is a ${service.kind} service, not a ${kind} service.`,
    );
  return service.options as ServiceOptionsByKind[K];
}

const boolean = rule('a boolean', (value, at) => {
  if (typeof value !== 'boolean') throw invalidOption(at.path, 'a boolean', value);
});

const commandSchema: Schema = {
  command: required(nonEmptyString()),
  args: stringArray(),
  cwd: string(),
  env: stringRecord(),
  host: nonEmptyString(),
  readyPath: rule('a path starting with `/`', (value, at) => {
    if (typeof value !== 'string' || !value.startsWith('/'))
      throw invalidOption(at.path, 'a path starting with `/`', value);
  }),
  startTimeout: timeout,
};

const endpointExpected =
  "the service and container port tests reach, e.g. `{ service: 'web', port: 80 }`";
const endpointSchema: Schema = { service: required(nonEmptyString()), port: required(port) };

// No services: the run only has the ones tests ask for (fixtures, Jest's helper).
const servicesRule = rule('an object of services by name', (value, at) => {
  if (!isObject(value)) throw invalidOption(at.path, 'an object of services by name', value);
});
const optionsSchema: Schema = { services: servicesRule, removeStale: boolean, summary: boolean };

// The manager's options are checked by the manager's validator (validate-services.ts).
const declared = rule('an object', () => undefined);
const declarationSchema: Schema = {
  nginx: declared,
  container: declared,
  compose: declared,
  command: declared,
  pristine: oneOf(pristinePolicies),
  rerun: oneOf(['keep', 'restart']),
  standby: boolean,
};

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

/**
 * The runner's own checks of one service's options (`path` names them): an object, JSON
 * serialisable, a command's options, a compose endpoint. The manager's validator checks
 * the rest (validateServices).
 */
export function checkServiceOptions(
  kind: ServiceKind,
  value: unknown,
  path: string,
  owner: string,
): asserts value is Record<string, unknown> {
  if (!isObject(value)) throw invalidOption(path, 'an object', value);
  assertSerialisable(path, value);
  if (kind === 'command') validateOptions(value, commandSchema, { path, owner });
  if (kind === 'compose')
    validateOptions(
      value.endpoint,
      endpointSchema,
      { path: `${path}.endpoint`, owner },
      endpointExpected,
    );
}

/**
 * Validates the adapters' options (`owner` names them in messages: `rebind()`, or Jest's
 * `testEnvironmentOptions.rebind`) and applies defaults. Checks the declarations' shape,
 * the command and compose endpoint options; each manager's own options are checked by
 * its validator (validateServices).
 */
export function resolveServices(options: unknown, owner = 'rebind()'): ResolvedService[] {
  validateOptions(options, optionsSchema, { path: '', owner });
  const resolved: ResolvedService[] = [];
  for (const [name, declaration] of Object.entries((options as RebindOptions).services ?? {})) {
    if (!/^[\w.-]+$/.test(name))
      throw invalidOption('services', 'keyed by names of letters, digits, `_`, `.` or `-`', name);
    const at = `services.${name}`;
    if (!isObject(declaration)) throw invalidOption(at, 'an object', declaration);
    const kinds = serviceKinds.filter((k) => declaration[k] !== undefined);
    if (kinds.length !== 1)
      throw invalidOption(
        at,
        'an object with exactly one of `nginx`, `container`, `compose` or `command`',
        declaration,
      );
    validateOptions(declaration, declarationSchema, { path: at, owner });
    const kind = kinds[0] as ServiceKind;
    const value = declaration[kind];
    checkServiceOptions(kind, value, `${at}.${kind}`, owner);
    resolved.push({
      name,
      kind,
      options: value,
      pristine: (declaration.pristine as Pristine | undefined) ?? 'per-test',
      rerun: (declaration.rerun as RerunPolicy | undefined) ?? 'restart',
      standby: declaration.standby === true,
    } as ResolvedService);
  }
  return resolved;
}
