import { afterEach, describe, expect, it } from 'vitest';
import { optionsFrom } from './context.js';
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

describe('endpoint()', () => {
  it('reads the endpoints the environment put in process.env', () => {
    process.env[ENDPOINTS_ENV] = JSON.stringify({ web });
    expect(endpoint('web')).toEqual(web);
    expect(endpoints()).toEqual({ web });
  });

  it('names the declared services when asked for another', () => {
    process.env[ENDPOINTS_ENV] = JSON.stringify({ web });
    expect(() => endpoint('db')).toThrow('rebind: no service `db`. Declared services: `web`.');
  });

  it('says which config lines are missing when nothing is set', () => {
    expect(() => endpoint('web')).toThrow(
      "rebind: `REBIND_ENDPOINTS` is not set. Set `testEnvironment: '@rebind/jest/environment'`, `globalSetup: '@rebind/jest/global-setup'` and `globalTeardown: '@rebind/jest/global-teardown'` in the Jest config.",
    );
  });
});

describe('optionsFrom()', () => {
  it('asks for the services in testEnvironmentOptions', () => {
    expect(() => optionsFrom({})).toThrow(
      'Expected the `testEnvironmentOptions.rebind` option to be the services, e.g. `{ services: { web: { nginx: {} } } }`, got `undefined` (undefined).',
    );
  });
});
