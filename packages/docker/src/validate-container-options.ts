// startContainer's options, checked once at the public boundary (and by the runner for
// every `container` declaration, with the declaration's path): unknown keys are refused
// with the closest known key, each value in execa's wording.
import { isIP } from 'node:net';
import { RebindError } from '@rebind/core';
import {
  abortSignal,
  boolean,
  arrayOf,
  check,
  invalidOption,
  isObject,
  isPort,
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

const mapping: Schema = {
  container: required(port),
  host: check(
    "an integer from 1 to 65535, `'auto'` or `'random'`",
    (v) => v === 'auto' || v === 'random' || isPort(v),
  ),
};

const portEntry = rule('a container port or { container, host }', (value, at) => {
  if (typeof value === 'number') port(value, at);
  else if (isObject(value)) validateOptions(value, mapping, at);
  else throw invalidOption(at.path, 'a container port or { container, host }', value);
});

const readyExpected =
  "`'listening'`, `'healthcheck'`, `'started'`, `{ http, port?, status?, body? }` or `{ log }`";
const pattern = check('a string or a RegExp', (v) => typeof v === 'string' || v instanceof RegExp);
const readyCheck = rule(readyExpected, (value, at) => {
  if (value === 'listening' || value === 'healthcheck' || value === 'started') return;
  if (isObject(value) && 'http' in value)
    return validateOptions(
      value,
      { http: required(string('a path such as `/health`')), port, status: port, body: pattern },
      at,
      readyExpected,
    );
  if (isObject(value) && 'log' in value)
    return validateOptions(
      value,
      { log: required(check('a RegExp', (v) => v instanceof RegExp)) },
      at,
      readyExpected,
    );
  throw invalidOption(at.path, readyExpected, value);
});

const schema: Schema = {
  image: required(nonEmptyString()),
  command: stringArray(),
  env: stringRecord(),
  ports: arrayOf(portEntry, 'an array of container ports or { container, host } mappings'),
  ready: readyCheck,
  onPortConflict: oneOf(['fail', 'remap', 'wait'], "'fail', 'remap' or 'wait'"),
  labels: stringRecord(),
  name: check(
    'a container name ([a-zA-Z0-9][a-zA-Z0-9_.-]*)',
    (v) => typeof v === 'string' && /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/.test(v),
  ),
  hostIp: check('an IP address', (v) => typeof v === 'string' && isIP(v) !== 0),
  dockerHost: nonEmptyString('an engine address such as `unix:///var/run/docker.sock`'),
  createOptions: objectOfAny(),
  timeout,
  standby: boolean,
  signal: abortSignal,
};

/** Raw Engine API options: any keys (the engine checks them). */
function objectOfAny() {
  return check('an object of Engine API create options', isObject);
}

/**
 * Throws `REBIND_INVALID_OPTION` unless `options` are valid options of `startContainer`:
 * "Unknown option `port` of startContainer. Did you mean `ports`?". `path` prefixes every
 * option's name (`services.db.container` in a runner declaration).
 */
export function validateContainerOptions(options: unknown, path = ''): void {
  validateOptions(options, schema, { path, owner: 'startContainer' });
  if ((options as { standby?: boolean }).standby === true)
    checkContainerStandby(options as Parameters<typeof checkContainerStandby>[0]);
}

/** A standby runs beside the current container: no fixed name, no fixed host port. */
function checkContainerStandby(options: {
  readonly name?: string;
  readonly ports?: readonly (number | { container: number; host?: unknown })[];
}): void {
  const fixed = (options.ports ?? [])
    .flatMap((p) => (typeof p === 'number' ? [] : [[p.container, p.host] as const]))
    .find(([, host]) => typeof host === 'number');
  const combination =
    options.name !== undefined
      ? `a fixed \`name\` (\`${options.name}\`): two containers cannot share a name`
      : fixed !== undefined
        ? `a fixed host port (\`{ container: ${fixed[0]}, host: ${String(fixed[1])} }\`): the standby and the current container would both need it`
        : undefined;
  if (combination === undefined) return;
  throw new RebindError(
    'REBIND_INVALID_OPTION',
    `The \`standby\` option of startContainer cannot be used with ${combination}. Drop \`name\` and publish every port with \`host: 'auto'\` or \`'random'\` (the default), or drop \`standby\`.`,
    { details: { option: 'standby', name: options.name, port: fixed?.[1] } },
  );
}
