import { describe, expect } from 'vitest';
import { expectNoErrorLog, pipelined, rawRequest, request } from '@rebind/vitest/test';
import { hasEcho, test } from './echo.js';

describe.runIf(hasEcho)('echo: bodies', () => {
  test('echo writes its argument and a newline', async ({ nginx }) => {
    const web = await nginx({ snippet: 'location /echo { echo hello; }' });
    const res = await request(web, 'GET /echo');
    expect([res.status, res.body]).toEqual([200, 'hello\n']);
    await expectNoErrorLog(web);
  });

  test('echo -n writes no newline', async ({ nginx }) => {
    const web = await nginx({ snippet: 'location /n { echo -n "no newline"; }' });
    expect((await request(web, 'GET /n')).body).toBe('no newline');
  });

  test('several echo lines in order, with variables', async ({ nginx }) => {
    const web = await nginx({
      snippet: 'location /vars { echo "name: $arg_name"; echo "method: $request_method"; }',
    });
    expect((await request(web, 'GET /vars?name=rebind')).body).toBe('name: rebind\nmethod: GET\n');
  });

  test('echo_duplicate repeats a string', async ({ nginx }) => {
    const web = await nginx({ snippet: 'location /dup { echo_duplicate 3 "ab"; echo; }' });
    expect((await request(web, 'GET /dup')).body).toBe('ababab\n');
  });

  test('echo_before_body and echo_after_body wrap the body', async ({ nginx }) => {
    const web = await nginx({
      snippet: 'location /wrap { echo_before_body before; echo body; echo_after_body after; }',
    });
    expect((await request(web, 'GET /wrap')).body).toBe('before\nbody\nafter\n');
  });

  test('echo_status sets the status code', async ({ nginx }) => {
    const web = await nginx({ snippet: 'location /created { echo_status 201; echo made; }' });
    const res = await request(web, 'GET /created');
    expect([res.status, res.body]).toEqual([201, 'made\n']);
  });

  test('the body is chunked as received, decoded by request()', async ({ nginx }) => {
    const web = await nginx({ snippet: 'location /chunked { echo hello; echo world; }' });
    const raw = await rawRequest(
      web,
      'GET /chunked HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n',
    );
    expect(raw.status).toBe(200);
    expect(raw.headers['transfer-encoding']).toBe('chunked');
    expect(raw.body).toMatch(/^6\r\nhello\n\r\n6\r\nworld\n\r\n0\r\n\r\n$/);
    expect((await request(web, 'GET /chunked')).body).toBe('hello\nworld\n');
  });

  test('pipelined requests are answered in order on one connection', async ({ nginx }) => {
    const web = await nginx({
      snippet: 'location /p { echo "uri $uri conn $connection req $connection_requests"; }',
    });
    const responses = await pipelined(web, ['GET /p/1', 'GET /p/2', 'GET /p/3']);
    const bodies = responses.map((r) => r.body.trim());
    const connection = /conn (\d+)/.exec(bodies[0] ?? '')?.[1];
    expect(bodies).toEqual([
      `uri /p/1 conn ${connection} req 1`,
      `uri /p/2 conn ${connection} req 2`,
      `uri /p/3 conn ${connection} req 3`,
    ]);
  });

  test('a raw HTTP/1.0 request gets an HTTP/1.0 answer, not chunked', async ({ nginx }) => {
    const web = await nginx({ snippet: 'location /old { echo old; }' });
    const raw = await rawRequest(web, 'GET /old HTTP/1.0\r\n\r\n');
    expect(raw.raw.toString('latin1')).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(raw.headers['transfer-encoding']).toBeUndefined();
    expect(raw.body).toBe('old\n');
  });

  test('echo_foreach_split iterates over a list', async ({ nginx }) => {
    const web = await nginx({
      snippet:
        'location /each { echo_foreach_split "," $arg_list; echo "item: $echo_it"; echo_end; }',
    });
    expect((await request(web, 'GET /each?list=a,b,c')).body).toBe('item: a\nitem: b\nitem: c\n');
  });

  test('each test has its own config, on the same port, from a fresh master', async ({ nginx }) => {
    const first = await nginx({ snippet: 'location /a { echo a; }' });
    const { port, pid } = first;
    await first.restart({ snippet: 'location /b { echo b; }' });
    expect(first.port).toBe(port);
    expect(first.pid).not.toBe(pid);
    expect((await request(first, 'GET /b')).body).toBe('b\n');
    expect((await request(first, 'GET /a')).status).toBe(404);
  });
});
