import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { endpoint } from './endpoint.js';
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
  });
});
