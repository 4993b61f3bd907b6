// The building blocks of an options schema: one rule per option, each naming what it
// expects in execa's wording ("Expected the `port` option to be an integer from 1 to
// 65535, got `70000` (number).").
import { invalidOption } from '../validate.js';

/** Where a value sits: its path (`services.web.nginx.port`) and whose option it is. */
export interface OptionPath {
  readonly path: string;
  /** The function (or declaration) the options belong to, e.g. `startNginx`. */
  readonly owner: string;
}

/**
 * Checks one option's value (never `undefined`: absent options are skipped unless the
 * rule is {@link required}) and throws `REBIND_INVALID_OPTION` naming its path.
 */
export interface Rule {
  (value: unknown, at: OptionPath): void;
  /** What the rule accepts, in words, for the message: "a non-empty string". */
  readonly expected: string;
  readonly required?: boolean;
}

/** The options an object accepts, by key. Any other key is refused. */
export type Schema = Readonly<Record<string, Rule>>;

export const rule = (expected: string, test: (value: unknown, at: OptionPath) => void): Rule =>
  Object.assign((value: unknown, at: OptionPath) => test(value, at), { expected });

/** A rule whose values are whatever `accepts` says yes to. */
export const check = (expected: string, accepts: (value: unknown) => boolean): Rule =>
  rule(expected, (value, at) => {
    if (!accepts(value)) throw invalidOption(at.path, expected, value);
  });

/** The option must be given. */
export const required = (inner: Rule): Rule =>
  Object.assign(rule(inner.expected, inner), { required: true });

export const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

export const anyValue = check('anything', () => true);
export const string = (expected = 'a string') => check(expected, (v) => typeof v === 'string');
export const nonEmptyString = (expected = 'a non-empty string') =>
  check(expected, (v) => typeof v === 'string' && v !== '');
export const boolean = check('a boolean', (v) => typeof v === 'boolean');
export const func = check('a function', (v) => typeof v === 'function');
export const isPort = (v: unknown): v is number =>
  typeof v === 'number' && Number.isInteger(v) && v >= 1 && v <= 65535;
export const port = check('an integer from 1 to 65535', isPort);
export const timeout = check(
  'a number of milliseconds >= 0 (or Infinity)',
  (v) => typeof v === 'number' && !Number.isNaN(v) && v >= 0,
);
export const positiveInteger = check(
  'a positive integer',
  (v) => typeof v === 'number' && Number.isInteger(v) && v >= 1,
);
export const abortSignal = check(
  'an AbortSignal',
  (v) => typeof v === 'object' && v !== null && 'aborted' in v,
);
export const stringArray = (expected = 'an array of strings') =>
  check(expected, (v) => Array.isArray(v) && v.every((s) => typeof s === 'string'));
export const stringRecord = (expected = 'an object of strings') =>
  check(expected, (v) => isObject(v) && Object.values(v).every((s) => typeof s === 'string'));

/** One of a few literal values; `expected` defaults to "`'a'`, `'b'` or `'c'`". */
export function oneOf(values: readonly unknown[], expected?: string): Rule {
  const quoted = values.map((v) => (typeof v === 'string' ? `\`'${v}'\`` : `\`${String(v)}\``));
  const words =
    expected ??
    (quoted.length === 1
      ? quoted[0]!
      : `${quoted.slice(0, -1).join(', ')} or ${quoted[quoted.length - 1]!}`);
  return check(words, (v) => values.includes(v));
}
