// startCompose's options, checked once at the public boundary (and by the runner for
// every `compose` declaration, with the declaration's path).
import {
  boolean,
  check,
  nonEmptyString,
  oneOf,
  required,
  string,
  timeout,
  validateOptions,
  type Schema,
} from '@rebind/core/internal';

const schema: Schema = {
  files: required(
    check(
      'a non-empty array of compose file paths',
      (v) => Array.isArray(v) && v.length > 0 && v.every((f) => typeof f === 'string'),
    ),
  ),
  projectName: nonEmptyString('a compose project name'),
  onPortConflict: oneOf(['fail', 'remap'], "'fail' or 'remap'"),
  cwd: string(),
  dockerHost: nonEmptyString('an engine address such as `unix:///var/run/docker.sock`'),
  timeout,
  standby: boolean,
  // the published port tests reach (checked in full by startCompose)
  endpoint: check('{ service, port }', (v) => typeof v === 'object' && v !== null),
};

/**
 * Throws `REBIND_INVALID_OPTION` unless `options` are valid options of `startCompose`:
 * "Unknown option `file` of startCompose. Did you mean `files`?". `path` prefixes every
 * option's name (`services.stack.compose` in a runner declaration).
 */
export function validateComposeOptions(options: unknown, path = ''): void {
  validateOptions(options, schema, { path, owner: 'startCompose' });
}
