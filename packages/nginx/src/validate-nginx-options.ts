// startNginx's options, checked once at the public boundary (and by the runner for every
// `nginx` declaration, with the declaration's path): unknown keys are refused with the
// closest known key, each value in execa's wording.
import { restartStrategies, type RestartStrategy } from '@rebind/core';
import {
  abortSignal,
  boolean,
  check,
  checkStandby,
  isPort,
  nonEmptyString,
  timeout,
  validateOptions,
  validateStrategy,
  rule,
  type Schema,
} from '@rebind/core/internal';
import { configSchema, requireOneSource } from './nginx-spec.js';

const strategy = rule('a restart strategy', (value, at) => {
  validateStrategy(value, restartStrategies, at.path);
});

const schema: Schema = {
  ...configSchema,
  binary: nonEmptyString('a path or a name on PATH'),
  port: check("an integer from 1 to 65535, or `'auto'`", (v) => v === 'auto' || isPort(v)),
  host: nonEmptyString('an IP address'),
  restartStrategy: strategy,
  allowUnsafeReuseport: boolean,
  readyTimeout: timeout,
  stopTimeout: timeout,
  keepPrefix: boolean,
  signal: abortSignal,
  standby: boolean,
};

interface StandbyFields {
  readonly standby?: boolean;
  readonly restartStrategy?: RestartStrategy;
  readonly port?: number | 'auto';
}

/**
 * Throws `REBIND_INVALID_OPTION` unless `options` are valid options of `startNginx`:
 * "Unknown option `restartStrategi` of startNginx. Did you mean `restartStrategy`?".
 * `path` prefixes every option's name (`services.web.nginx` in a runner declaration).
 */
export function validateNginxOptions(options: unknown, path = ''): void {
  validateOptions(options, schema, { path, owner: 'startNginx' });
  requireOneSource(options, path);
  const { standby, restartStrategy, port } = options as StandbyFields;
  // Before anything starts (the runner checks declarations with this): a standby needs
  // 'fresh-port' and a port that moves.
  if (standby === true)
    checkStandby(
      restartStrategy ?? 'wait',
      port === undefined || port === 'auto' ? ['auto'] : [{ first: port }],
    );
}
