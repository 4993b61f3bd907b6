import { invalidOption } from '@rebind/core';
import type { RebindContext, RebindOptions } from '@rebind/runner';

/** Carries the control channel from globalSetup (main process) to the workers. */
export const CONTEXT_ENV = 'REBIND_CONTEXT';

/** The services, from `testEnvironmentOptions: { rebind: { services } }`. */
export function optionsFrom(projectConfig: {
  testEnvironmentOptions?: Record<string, unknown>;
}): RebindOptions {
  const options = projectConfig.testEnvironmentOptions?.rebind;
  if (options === undefined)
    throw invalidOption(
      'testEnvironmentOptions.rebind',
      'the services, e.g. `{ services: { web: { nginx: {} } } }`',
      options,
    );
  return options as RebindOptions;
}

export function contextFromEnv(): RebindContext {
  const raw = process.env[CONTEXT_ENV];
  if (raw === undefined)
    throw new Error(
      `rebind: \`${CONTEXT_ENV}\` is not set in this Jest worker. Add \`globalSetup: '@rebind/jest/global-setup'\` to the Jest config.`,
    );
  return JSON.parse(raw) as RebindContext;
}
