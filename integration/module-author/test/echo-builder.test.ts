// Vitest 4.1's builder form on rebind's `test`: a fixture of this file's own (`web`) built on
// `nginx`, so every test receives a pristine nginx with the file's config and has its error
// log checked after it (a `--- no_error_log` section in every test-nginx block), and a
// describe block that sets `nginxDefaults` with `test.override(name, value)`.
import { describe, expect } from 'vitest';
import { expectNoErrorLog, request } from '@rebind/vitest/test';
import { hasEcho, test as echoTest } from './echo.js';

const test = echoTest.extend('web', async ({ nginx }, { onCleanup }) => {
  const web = await nginx({
    snippet: 'location /say { echo "$arg_word"; }',
  });
  onCleanup(() => expectNoErrorLog(web));
  return web;
});

describe.runIf(hasEcho)('echo: the builder form', () => {
  const masters: (number | undefined)[] = [];

  test('a test gets the file config from its builder fixture', async ({ web }) => {
    const res = await request(web, 'GET /say?word=first');
    expect(res.body).toBe('first\n');
    masters.push(web.pid);
  });

  test('the next test gets a fresh master with the same config', async ({ web }) => {
    const res = await request(web, 'GET /say?word=second');
    expect(res.body).toBe('second\n');
    // the first test's master was recorded, and this one is another
    expect(masters).toHaveLength(1);
    expect(masters).not.toContain(web.pid);
  });

  describe('test.override(name, value) sets the block defaults', () => {
    test.override('nginxDefaults', {
      mainConfig: 'load_module modules/ngx_http_echo_module.so;',
      httpConfig: 'add_header X-Block yes;',
    });

    test('the fixture sees the block httpConfig', async ({ web }) => {
      const res = await request(web, 'GET /say?word=block');
      expect([res.body, res.headers['x-block']]).toEqual(['block\n', 'yes']);
    });
  });
});
