import { afterEach, describe, expect, it } from 'vitest';
import { isRebindError } from '@rebind/core';
import { contextFromEnv, optionsFrom } from './context.js';
import { ENDPOINTS_ENV, endpoint, endpoints } from './endpoint.js';

afterEach(() => {
  delete process.env[ENDPOINTS_ENV];
});

const web = {
  service: 'web',
  slot: 1,
  host: '127.0.0.1',
  port: 41234,
  ports: { '41234': 41234 },
  url: 'http://127.0.0.1:41234',
  token: 'web/1/1',
};

const thrown = (run: () => unknown): unknown => {
  try {
    run();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
};

describe('endpoint()', () => {
  it('reads the endpoints the environment put in process.env', () => {
    process.env[ENDPOINTS_ENV] = JSON.stringify({ web });
    expect(endpoint('web')).toEqual(web);
    expect(endpoints()).toEqual({ web });
  });

  it('names the declared services when asked for another', () => {
    process.env[ENDPOINTS_ENV] = JSON.stringify({ web });
    expect(() => endpoint('db')).toThrow('rebind: no service `db`. Declared services: `web`.');
    const error = thrown(() => endpoint('db'));
    expect(isRebindError(error, 'REBIND_INVALID_OPTION')).toBe(true);
    expect(error).toMatchObject({
      name: 'RebindError',
      details: { option: 'service', value: 'db', declared: ['web'] },
    });
  });

  it('says which config lines are missing when nothing is set', () => {
    expect(() => endpoint('web')).toThrow(
      "rebind: `REBIND_ENDPOINTS` is not set. Set `testEnvironment: '@rebind/jest/environment'`, `globalSetup: '@rebind/jest/global-setup'` and `globalTeardown: '@rebind/jest/global-teardown'` in the Jest config.",
    );
    expect(
      isRebindError(
        thrown(() => endpoint('web')),
        'REBIND_NOT_SET_UP',
      ),
    ).toBe(true);
  });

  it('says REBIND_NOT_SET_UP in a worker whose project has no globalSetup', () => {
    expect(
      isRebindError(
        thrown(() => contextFromEnv('nowhere')),
        'REBIND_NOT_SET_UP',
      ),
    ).toBe(true);
  });
});

describe('optionsFrom()', () => {
  it('asks for the services in testEnvironmentOptions', () => {
    expect(() => optionsFrom({})).toThrow(
      'Expected the `testEnvironmentOptions.rebind` option to be the services, e.g. `{ services: { web: { nginx: {} } } }`, got `undefined` (undefined).',
    );
  });
});
