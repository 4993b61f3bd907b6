// The test side of @rebind/jest. Dependency-free (types only), so it is also built as
// CommonJS: Jest runs CommonJS test files in its own module system, which cannot load ESM.
import type { Endpoints, ServiceEndpoint } from '@rebind/runner/client';
import { brandedError } from './branded-error.js';

/** The environment variable the rebind test environment hands each test's endpoints through. */
export const ENDPOINTS_ENV = 'REBIND_ENDPOINTS';
/** And the services that could not be started for this test (the Docker engine did not answer). */
export const FAILED_ENV = 'REBIND_FAILED_SERVICES';

/** Every service's current endpoint for this test, by name. */
export function endpoints(): Endpoints {
  const raw = process.env[ENDPOINTS_ENV];
  if (raw === undefined || raw === '')
    throw brandedError(
      'REBIND_NOT_SET_UP',
      `rebind: \`${ENDPOINTS_ENV}\` is not set. Set \`testEnvironment: '@rebind/jest/environment'\`, \`globalSetup: '@rebind/jest/global-setup'\` and \`globalTeardown: '@rebind/jest/global-teardown'\` in the Jest config.`,
    );
  return JSON.parse(raw) as Endpoints;
}

/**
 * The current endpoint of a declared service: its `url`, `host`, `port`, `ports` and
 * instance `token`. With `pristine: 'per-test'` it changes before each test.
 */
export function endpoint(service: string): ServiceEndpoint {
  const all = endpoints();
  const failed = JSON.parse(process.env[FAILED_ENV] || '{}') as Record<
    string,
    { code?: 'REBIND_DOCKER_UNAVAILABLE'; message: string; details?: Record<string, unknown> }
  >;
  const failure = failed[service];
  if (failure !== undefined)
    throw brandedError(failure.code ?? 'REBIND_NOT_RUNNING', failure.message, failure.details);
  const found = all[service];
  if (found === undefined)
    throw brandedError(
      'REBIND_INVALID_OPTION',
      `rebind: no service \`${service}\`. Declared services: ${Object.keys(all)
        .map((s) => `\`${s}\``)
        .join(', ')}.`,
      { option: 'service', value: service, declared: Object.keys(all) },
    );
  return found;
}
