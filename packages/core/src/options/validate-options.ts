// A small schema-driven validator for options objects: refuses unknown keys (with the
// closest known key as a suggestion), checks each known one with its rule, and names
// the option path in every message.
import { RebindError } from '../errors.js';
import { invalidOption } from '../validate.js';
import { closestKey } from './closest-key.js';
import { isObject, rule, type OptionPath, type Rule, type Schema } from './rules.js';

/** `base.key`, or `key` at the top level. */
export const optionPath = (base: string, key: string | number): string =>
  typeof key === 'number' ? `${base}[${key}]` : base === '' ? key : `${base}.${key}`;

/**
 * `REBIND_INVALID_OPTION` for a key no option has:
 * "Unknown option `restartStrategi` of startNginx. Did you mean `restartStrategy`?"
 */
export function unknownOption(
  base: string,
  key: string,
  known: readonly string[],
  owner: string,
): RebindError {
  const path = optionPath(base, key);
  const suggestion = closestKey(key, known);
  const hint =
    suggestion !== undefined
      ? `Did you mean \`${optionPath(base, suggestion)}\`?`
      : known.length === 0
        ? 'It takes no options.'
        : `Known options: ${known.map((k) => `\`${k}\``).join(', ')}.`;
  return new RebindError(
    'REBIND_INVALID_OPTION',
    `Unknown option \`${path}\` of ${owner}. ${hint}`,
    {
      details: {
        option: path,
        owner,
        ...(suggestion === undefined ? {} : { suggestion: optionPath(base, suggestion) }),
      },
    },
  );
}

/**
 * Checks an options object against its schema: it must be a plain object (else
 * "Expected the `options` option to be an object ..."), every key must be known, and each
 * known option must pass its rule. Keys whose value is `undefined` count as absent.
 */
export function validateOptions(
  value: unknown,
  schema: Schema,
  at: OptionPath,
  expected = 'an object',
): asserts value is object {
  if (!isObject(value)) throw invalidOption(at.path === '' ? 'options' : at.path, expected, value);
  const known = Object.keys(schema);
  for (const key of Object.keys(value)) {
    if (!Object.hasOwn(schema, key)) throw unknownOption(at.path, key, known, at.owner);
  }
  for (const [key, check] of Object.entries(schema)) {
    const option = value[key];
    const path = optionPath(at.path, key);
    if (option === undefined) {
      if (check.required === true) throw invalidOption(path, check.expected, option);
      continue;
    }
    check(option, { path, owner: at.owner });
  }
}

/** A rule for a nested options object (`stop: { timeout }`), with its own schema. */
export const objectOf = (schema: Schema, expected = 'an object'): Rule =>
  rule(expected, (value, at) => validateOptions(value, schema, at, expected));

/** A rule for an array whose every entry passes `entry` (named `ports[2]`). */
export const arrayOf = (entry: Rule, expected: string): Rule =>
  rule(expected, (value, at) => {
    if (!Array.isArray(value)) throw invalidOption(at.path, expected, value);
    value.forEach((item: unknown, i) =>
      entry(item, { path: optionPath(at.path, i), owner: at.owner }),
    );
  });
