// The "Coming from test-nginx" table of packages/vitest/README.md, row by row: each test
// below is named after one row's test-nginx section and uses that row's rebind form as the
// table writes it, and the first test checks that the table's rows and these tests are
// the same set (a row added, renamed or dropped in the README fails here).
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  expectErrorLog,
  expectNoErrorLog,
  pipelined,
  rawRequest,
  request,
  test as base,
  type RebindTestFixtures,
} from '@rebind/vitest/test';
import { hasEcho, test } from './echo.js';

const readme = readFileSync(new URL('../../../packages/vitest/README.md', import.meta.url), 'utf8');
const table = readme.split('### Coming from test-nginx')[1]?.split('\n\n')[1] ?? '';
const sections = table
  .split('\n')
  .slice(2)
  .map((row) => row.split(' | ')[0]?.replace(/^\| /, ''));

/** The list: every one of these must have a row. */
const required = [
  '--- config',
  '--- http_config',
  '--- main_config',
  '--- request',
  '--- pipelined_requests',
  '--- raw_request',
  '--- response_body',
  '--- error_code',
  '--- error_log',
  '--- no_error_log',
  '--- user_files',
  'repeat_each',
];

const rows: string[] = [];
/** One test per table row, named by its first cell. */
const row = (
  section: string,
  fn: (context: RebindTestFixtures) => Promise<void>,
  t: typeof base = test,
) => {
  rows.push(section);
  t(section, fn);
};

describe.runIf(hasEcho)('the test-nginx table, row by row', () => {
  it('has a row for each section the issue lists, and a test here for each row', () => {
    for (const name of required) expect(sections.some((s) => s?.includes(`\`${name}`))).toBe(true);
    expect([...sections].sort()).toEqual([...rows].sort());
  });

  row('`--- config` (inside `server { }`)', async ({ nginx }) => {
    const web = await nginx({ snippet: 'location /t { echo config; }' });
    expect((await request(web, 'GET /t')).body).toBe('config\n');
  });

  row('`--- http_config`', async ({ nginx }) => {
    const httpConfig = 'map $uri $from_http { default "http block"; }';
    const web = await nginx({ httpConfig, snippet: 'location /t { echo $from_http; }' });
    expect((await request(web, 'GET /t')).body).toBe('http block\n');
  });

  row(
    '`--- main_config`',
    async ({ nginx }) => {
      // the base test, without the suite's nginxDefaults: the module comes from mainConfig
      const mainConfig = 'load_module modules/ngx_http_echo_module.so;';
      const web = await nginx({ mainConfig, snippet: 'location /t { echo main; }' });
      expect((await request(web, 'GET /t')).body).toBe('main\n');
    },
    base,
  );

  row('a whole `nginx.conf`', async ({ nginx }) => {
    // (the suite's nginxDefaults bring the echo module's load_module)
    const config = [
      'events {}',
      'http { server { listen 8080; location /t { echo whole; } } }',
    ].join('\n');
    const web = await nginx({ config });
    expect((await request(web, 'GET /t')).body).toBe('whole\n');
  });

  row('`--- user_files`', async ({ nginx }) => {
    const web = await nginx({ snippet: 'location / { }', userFiles: { 'html/a.txt': 'user\n' } });
    expect((await request(web, 'GET /a.txt')).body).toBe('user\n');
  });

  // (not a row) the next test's config replaces them: the previous test's files are gone
  test('user files do not outlive their test', async ({ nginx }) => {
    const web = await nginx({ snippet: 'location / { }', userFiles: { 'html/b.txt': 'b\n' } });
    expect((await request(web, 'GET /b.txt')).body).toBe('b\n');
    expect((await request(web, 'GET /a.txt')).status).toBe(404);
  });

  row('`--- request`', async ({ nginx }) => {
    const web = await nginx({ snippet: 'location /t { echo $request_method; }' });
    expect((await request(web, 'GET /t')).body).toBe('GET\n');
  });

  row('`--- pipelined_requests`', async ({ nginx }) => {
    const web = await nginx({ snippet: 'location / { echo "$uri $connection_requests"; }' });
    const bodies = (await pipelined(web, ['GET /a', 'GET /b'])).map((r) => r.body);
    expect(bodies).toEqual(['/a 1\n', '/b 2\n']);
  });

  row('`--- raw_request`', async ({ nginx }) => {
    const web = await nginx({ snippet: 'location /t { echo $server_protocol; }' });
    const res = await rawRequest(web, 'GET /t HTTP/1.0\r\n\r\n');
    expect(res.raw.toString()).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(res.body).toBe('HTTP/1.0\n');
  });

  row('`--- response_body`', async ({ nginx }) => {
    const web = await nginx({ snippet: 'location /t { echo body; }' });
    const res = await request(web, 'GET /t');
    expect(res.body).toBe('body\n');
  });

  row('`--- error_code`', async ({ nginx }) => {
    const web = await nginx({ snippet: 'location /t { return 418; }' });
    const res = await request(web, 'GET /t');
    expect(res.status).toBe(418);
  });

  row('`--- error_log`', async ({ nginx }) => {
    const web = await nginx({ snippet: 'location / { }' });
    await request(web, 'GET /missing-file');
    await expectErrorLog(web, /open\(\) ".*missing-file" failed/);
  });

  row('`--- no_error_log`', async ({ nginx }) => {
    const web = await nginx({ snippet: 'location /t { echo ok; }' });
    await request(web, 'GET /t');
    await expectNoErrorLog(web);
    await expectNoErrorLog(web, { patterns: ['[warn]'] });
    // and it fails on a [warn] line (a duplicate MIME extension warns at start)
    const warns = await nginx({ snippet: 'location / { types { text/a x; text/b x; } }' });
    await expect(expectNoErrorLog(warns, { patterns: ['[warn]'] })).rejects.toThrow(/\[warn\]/);
  });

  const runs: number[] = [];
  rows.push('`repeat_each(2)`');
  test('`repeat_each(2)`', { repeats: 1 }, async ({ nginx }) => {
    const web = await nginx({ snippet: 'location /t { echo run; }' });
    runs.push(web.pid as number);
    expect((await request(web, 'GET /t')).body).toBe('run\n');
  });
  it('repeat_each(2) ran twice, each run its own master', () => {
    expect(new Set(runs).size).toBe(2);
  });

  row('`TEST_NGINX_BINARY`', async ({ nginx }) => {
    // your build's path; here the system's nginx, found as a shell finds it
    const binary = execFileSync('sh', ['-c', 'command -v nginx'], { encoding: 'utf8' }).trim();
    const web = await nginx({ binary, snippet: 'location /t { echo binary; }' });
    expect((await request(web, 'GET /t')).body).toBe('binary\n');
  });

  row('`$ServerPort`', async ({ nginx }) => {
    const web = await nginx({ snippet: 'location /t { echo $server_port; }' });
    expect((await request(web, 'GET /t')).body).toBe(`${web.port}\n`);
  });
});
