import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { isRebindError } from '@rebind/core';
import { endpoint, setEndpoints } from './endpoint.js';
import { rebind } from './rebind.js';

const services = { web: { command: { command: 'node', args: ['server.js'] } } };

describe('rebind()', () => {
  it('adds the globalSetup, the setup file and the declared services', async () => {
    const { test } = await rebind({ services }).config();
    expect(test.provide).toEqual({ 'rebind:options': { services } });
    expect(test.globalSetup[0]).toMatch(/global-setup\.(js|ts)$/);
    expect(test.setupFiles[0]).toMatch(/setup\.(js|ts)$/);
  });

  it('points at files that exist once built', async () => {
    const { test } = await rebind({ services }).config();
    const built = [...test.globalSetup, ...test.setupFiles].map((f) =>
      f.replace(/\/src\/(.*)\.js$/, '/dist/$1.js'),
    );
    expect(built.filter((f) => !existsSync(f))).toEqual([]);
  });

  it('validates the services when Vitest resolves the config', async () => {
    await expect(rebind({ services: { web: { pristine: 'shared' } } }).config()).rejects.toThrow(
      'Expected the `services.web` option to be an object with exactly one of `nginx`, `container`, `compose` or `command`, got `{"pristine":"shared"}` (object).',
    );
  });

  it("checks each declaration with its manager's validator when Vitest resolves the config", async () => {
    await expect(
      rebind({
        services: { web: { nginx: { snippet: 'return 200;', restartStrategi: 'reload' } } },
      } as never).config(),
    ).rejects.toThrow(
      'Unknown option `services.web.nginx.restartStrategi` of startNginx. Did you mean `services.web.nginx.restartStrategy`?',
    );
  });
});

describe('endpoint()', () => {
  it('says how to set rebind up when no endpoints reached this worker', () => {
    expect(() => endpoint('web')).toThrow(
      'rebind: no endpoints in this worker. Add `rebind({ services })` to `plugins` in vitest.config and call endpoint() inside a test or hook.',
    );
    expect(() => endpoint('web')).toThrow(expect.objectContaining({ code: 'REBIND_NOT_SET_UP' }));
  });

  it('names the declared services when asked for another, as REBIND_INVALID_OPTION', () => {
    const web = {
      service: 'web',
      slot: 1,
      host: '127.0.0.1',
      port: 1,
      ports: {},
      url: '',
      token: 't',
    };
    setEndpoints({ endpoints: { web }, failed: {} });
    let error: unknown;
    try {
      endpoint('db');
    } catch (caught) {
      error = caught;
    } finally {
      setEndpoints(undefined as never);
    }
    expect(isRebindError(error, 'REBIND_INVALID_OPTION')).toBe(true);
    expect((error as Error).message).toBe('rebind: no service `db`. Declared services: `web`.');
    expect((error as { details: unknown }).details).toEqual({
      option: 'service',
      value: 'db',
      declared: ['web'],
    });
  });
});
