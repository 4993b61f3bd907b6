import { isRebindError } from '@rebind/core';
import { describe, expect } from 'vitest';
import { expectErrorLog, expectNoErrorLog, request } from '@rebind/vitest/test';
import { hasEcho, test } from './echo.js';

const leaked: { nginx?: (options: object) => Promise<unknown> } = {};

describe.runIf(hasEcho)('echo: subrequests, bodies, logs', () => {
  test('echo_location concatenates subrequests', async ({ nginx }) => {
    const web = await nginx({
      snippet: `location /main { echo_location /sub1; echo_location /sub2 "x=1"; }
                location /sub1 { echo one; }
                location /sub2 { echo "two $arg_x"; }`,
    });
    expect((await request(web, 'GET /main')).body).toBe('one\ntwo 1\n');
  });

  test('echo_exec hands the request to another location', async ({ nginx }) => {
    const web = await nginx({
      snippet: 'location /from { echo_exec /to "a=b"; } location /to { echo "to $arg_a"; }',
    });
    expect((await request(web, 'GET /from')).body).toBe('to b\n');
  });

  test('echo_request_body echoes a POST body', async ({ nginx }) => {
    const web = await nginx({
      snippet: 'location /body { echo_read_request_body; echo_request_body; }',
    });
    const res = await request(web, { method: 'POST', path: '/body', body: 'posted bytes' });
    expect(res.body).toBe('posted bytes');
  });

  test('http_config: a map from the http block', async ({ nginx }) => {
    const web = await nginx({
      httpConfig: 'map $arg_lang $greeting { default hello; fr bonjour; }',
      snippet: 'location /greet { echo $greeting; }',
    });
    expect((await request(web, 'GET /greet?lang=fr')).body).toBe('bonjour\n');
  });

  test('user_files are served from the prefix', async ({ nginx }) => {
    const web = await nginx({
      snippet: 'location / { echo_before_body "<!-- before -->"; }',
      userFiles: { 'html/page.html': '<p>user file</p>\n' },
    });
    expect((await request(web, 'GET /page.html')).body).toBe('<!-- before -->\n<p>user file</p>\n');
  });

  test('error_log: a missing file is logged in this test only', async ({ nginx }) => {
    const web = await nginx({ snippet: 'location / { }' });
    expect((await request(web, 'GET /no-such-file')).status).toBe(404);
    await expectErrorLog(web, /\[error\].*open\(\) ".*\/no-such-file" failed/);
  });

  test('no_error_log: the previous test left nothing in this log', async ({ nginx }) => {
    const web = await nginx({ snippet: 'location /quiet { echo quiet; }' });
    expect((await request(web, 'GET /quiet')).body).toBe('quiet\n');
    await expectNoErrorLog(web, { patterns: ['no-such-file'] });
  });

  test('no_error_log with other levels: a [warn] line counts', async ({ nginx }) => {
    const web = await nginx({
      snippet: 'location /warn { error_log logs/error.log warn; echo_sleep 0.001; echo ok; }',
    });
    expect((await request(web, 'GET /warn')).body).toBe('ok\n');
    await expectNoErrorLog(web, { levels: ['warn', 'error', 'crit', 'alert', 'emerg'] });
    await expect(expectErrorLog(web, 'this line is not there')).rejects.toThrow(
      /^Expected the error log to have a line matching this line is not there\. The error log of this instance:\n/,
    );
  });

  test("a config nginx rejects fails with the test's own line", async ({ nginx }) => {
    const error: unknown = await nginx({
      snippet: 'location /typo {\n  echo_nope "x";\n}',
    }).catch((e: unknown) => e);
    expect(isRebindError(error, 'REBIND_CONFIG_INVALID')).toBe(true);
    expect((error as Error).message).toMatch(
      /unknown directive "echo_nope" in <snippet>:2 \(rendered copy: \S+, `echo_nope "x";`\)/,
    );
    leaked.nginx = nginx;
  });

  test('the next test starts cleanly on the same slot', async ({ nginx }) => {
    const web = await nginx({ snippet: 'location /after { echo recovered; }' });
    expect((await request(web, 'GET /after')).body).toBe('recovered\n');
  });

  test('a fixture kept past its test is refused', async () => {
    const error: unknown = await leaked
      .nginx?.({ snippet: 'location / { echo x; }' })
      .catch((e: unknown) => e);
    expect(isRebindError(error, 'REBIND_INVALID_OPTION')).toBe(true);
    expect((error as Error).message).toMatch(/^The `nginx` fixture was used outside a test/);
  });

  test('an unknown service kind and both config and snippet are refused', async ({
    service,
    nginx,
  }) => {
    const unknown: unknown = await service({ redis: {} } as never).catch((e: unknown) => e);
    expect(isRebindError(unknown, 'REBIND_INVALID_OPTION')).toBe(true);
    const both: unknown = await nginx({ snippet: 'echo x;', config: 'events {}' }).catch(
      (e: unknown) => e,
    );
    expect(isRebindError(both, 'REBIND_INVALID_OPTION')).toBe(true);
  });

  const masters: number[] = [];
  test(
    'repeat_each: run twice, each run against its own fresh master',
    { repeats: 1 },
    async ({ nginx }) => {
      const web = await nginx({ snippet: 'location /r { echo "worker $pid"; }' });
      expect((await request(web, 'GET /r')).body).toMatch(/^worker \d+\n$/);
      expect(masters).not.toContain(web.pid);
      masters.push(web.pid as number);
    },
  );
});

// Vitest 4.1's builder form: `test.override(name, value)` for a describe block.
describe.runIf(hasEcho)('echo: defaults per describe block (builder form)', () => {
  test.override('nginxDefaults', {
    mainConfig: 'load_module modules/ngx_http_echo_module.so;',
    httpConfig: 'map $uri $from_defaults { default "set by the block"; }',
  });

  test('a test of the block gets its httpConfig with its own snippet', async ({ nginx }) => {
    const web = await nginx({ snippet: 'location /d { echo $from_defaults; }' });
    expect((await request(web, 'GET /d')).body).toBe('set by the block\n');
  });
});
