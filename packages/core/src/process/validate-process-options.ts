// The schema of startProcess's options: unknown keys are refused with a suggestion,
// each known one is checked in execa's wording.
import { RebindError } from '../errors.js';
import { invalidOption } from '../validate.js';
import {
  abortSignal,
  boolean,
  check,
  func,
  isObject,
  isPort,
  nonEmptyString,
  oneOf,
  positiveInteger,
  required,
  rule,
  string,
  stringArray,
  stringRecord,
  timeout,
  type Schema,
} from '../options/rules.js';
import { arrayOf, objectOf, validateOptions } from '../options/validate-options.js';

const readySchemas: Readonly<Record<string, Schema>> = {
  tcp: { tcp: required(check('an integer from 1 to 65535', isPort)) },
  http: {
    http: required(
      check('a URL or a port number', (v) => (typeof v === 'string' && v !== '') || isPort(v)),
    ),
    status: check(
      'an HTTP status or an array of them',
      (v) => typeof v === 'number' || (Array.isArray(v) && v.every((s) => typeof s === 'number')),
    ),
    body: check('a string or a RegExp', (v) => typeof v === 'string' || v instanceof RegExp),
    headers: stringRecord(),
  },
  output: {
    output: required(
      check('a string or a RegExp', (v) => typeof v === 'string' || v instanceof RegExp),
    ),
    stream: oneOf(['stdout', 'stderr', 'both']),
  },
  check: { check: required(func) },
};

const readyExpected = 'an object with one of `tcp`, `http`, `output` or `check`';

/** startProcess's `ready`: the schema is picked by the one key that names the kind. */
export const readyCheckRule = rule(readyExpected, (value, at) => {
  const kind = isObject(value) ? Object.keys(readySchemas).find((k) => k in value) : undefined;
  if (kind === undefined) throw invalidOption(at.path, readyExpected, value);
  validateOptions(value, readySchemas[kind]!, at, readyExpected);
});

/** startProcess's `stop` (and StartedProcess#stop's options). */
export const stopSchema: Schema = {
  signal: check(
    'a signal name such as `SIGTERM`',
    (v) => typeof v === 'string' && /^SIG[A-Z0-9]+$/.test(v),
  ),
  timeout,
  killTimeout: timeout,
  ports: arrayOf(check('an integer from 1 to 65535', isPort), 'an array of ports'),
};

export const processSchema: Schema = {
  command: required(nonEmptyString()),
  args: stringArray(),
  cwd: string(),
  env: check(
    'an object of strings (or `undefined` to remove a variable)',
    (v) => isObject(v) && Object.values(v).every((s) => s === undefined || typeof s === 'string'),
  ),
  ready: readyCheckRule,
  port: check("an integer from 1 to 65535, or 'auto'", (v) => v === 'auto' || isPort(v)),
  host: nonEmptyString(),
  standby: boolean,
  readyTimeout: timeout,
  readyInterval: timeout,
  stop: objectOf(stopSchema),
  extraFds: check('an array of file descriptors', (v) => Array.isArray(v)),
  outputLimit: positiveInteger,
  onOutput: func,
  prefork: check(
    'a boolean or a non-empty string',
    (v) => typeof v === 'boolean' || (typeof v === 'string' && v !== ''),
  ),
  watchdog: boolean,
  signal: abortSignal,
};

/**
 * Validates startProcess's options; `path` prefixes every option's name (for options
 * nested in a declaration).
 */
export function validateProcessOptions(options: unknown, path = '', owner = 'startProcess'): void {
  validateOptions(options, processSchema, { path, owner });
  const { standby, port } = options as { standby?: boolean; port?: number | 'auto' };
  if (standby === true) checkProcessStandby(port);
}

/** A standby listens on its own port while the current instance serves: `port: 'auto'` only. */
function checkProcessStandby(port: number | 'auto' | undefined): void {
  if (port === 'auto') return;
  const got = port === undefined ? 'no `port`' : `\`port: ${port}\``;
  throw new RebindError(
    'REBIND_INVALID_OPTION',
    `The \`standby\` option of startProcess needs \`port: 'auto'\`, got ${got}: the standby waits on its own port while the current instance serves${port === undefined ? '' : ', and two instances cannot both own a fixed port'}. Use \`port: 'auto'\` (the command reads its port from \`PORT\` or \`{port}\`), or drop \`standby\`.`,
    { details: { option: 'standby', port: port } },
  );
}
