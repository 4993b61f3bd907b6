import { describe, expect, it } from 'vitest';
import { parseBindFailureMessage, parseBindFailures, splitHostPort } from './parse-bind-failure.js';

describe('parseBindFailureMessage', () => {
  it('reads nginx', () => {
    expect(
      parseBindFailureMessage(
        'nginx: [emerg] bind() to 0.0.0.0:8080 failed (98: Address already in use)',
      ),
    ).toEqual({
      server: 'nginx',
      reuseAddr: true,
      errno: 'EADDRINUSE',
      host: '0.0.0.0',
      port: 8080,
    });
    expect(
      parseBindFailureMessage('[emerg] bind() to [::]:80 failed (13: Permission denied)'),
    ).toMatchObject({ host: '::', port: 80, errno: 'EACCES' });
    expect(
      parseBindFailureMessage(
        '[emerg] bind() to unix:/tmp/x.sock failed (98: Address already in use)',
      ),
    ).toMatchObject({ path: '/tmp/x.sock', errno: 'EADDRINUSE' });
  });

  it('reads Node', () => {
    expect(parseBindFailureMessage('listen EADDRINUSE: address already in use :::3000')).toEqual({
      host: '::',
      port: 3000,
      errno: 'EADDRINUSE',
      reuseAddr: true,
    });
    expect(parseBindFailureMessage('listen EACCES: permission denied 0.0.0.0:80')).toMatchObject({
      host: '0.0.0.0',
      port: 80,
      errno: 'EACCES',
    });
    expect(
      parseBindFailureMessage('listen EADDRINUSE: address already in use /tmp/app.sock'),
    ).toMatchObject({ path: '/tmp/app.sock' });
  });

  it('reads Docker', () => {
    expect(
      parseBindFailureMessage(
        'driver failed programming external connectivity on endpoint web: Bind for 0.0.0.0:8080 failed: port is already allocated',
      ),
    ).toMatchObject({ host: '0.0.0.0', port: 8080, docker: 'allocated', server: 'Docker' });
    expect(
      parseBindFailureMessage(
        'Error starting userland proxy: listen tcp4 127.0.0.1:8080: bind: address already in use',
      ),
    ).toMatchObject({ host: '127.0.0.1', port: 8080, docker: 'proxy' });
  });

  it('reads Python and bare words, and knows nothing from nothing', () => {
    expect(parseBindFailureMessage('OSError: [Errno 98] Address already in use')).toEqual({
      errno: 'EADDRINUSE',
    });
    expect(parseBindFailureMessage('')).toEqual({});
    expect(splitHostPort('*:80')).toEqual({ port: 80 });
    expect(splitHostPort('nothing')).toEqual({});
  });
});

describe('parseBindFailures', () => {
  it('finds every failure of a log once, each with its line and its own cause', () => {
    const log = [
      'Starting Laravel development server: http://127.0.0.1:8000',
      '[Mon Oct 19 09:36:12 2020] Failed to listen on 127.0.0.1:8000 (reason: Address already in use)',
      '2021/06/18 14:49:02 [emerg] 1379408#1379408: bind() to [::]:443 failed (13: Permission denied)',
      '2021/06/18 14:49:02 [emerg] 1379408#1379408: bind() to 0.0.0.0:443 failed (13: Permission denied)',
      "ERROR:    [Errno 99] error while attempting to bind on address ('::1', 8000, 0, 0): cannot assign requested address",
    ].join('\n');
    expect(parseBindFailures(log)).toEqual([
      { host: '127.0.0.1', port: 8000, errno: 'EADDRINUSE', line: 1 },
      { host: '::', port: 443, errno: 'EACCES', server: 'nginx', reuseAddr: true, line: 2 },
    ]);
  });

  it('reads address forms: tuples, URLs, Java host/addr, Akka, ranges, wildcards', () => {
    const read = (text: string) => parseBindFailureMessage(text);
    expect(read("bind on address ('::1', 8000, 0, 0): x")).toMatchObject({
      host: '::1',
      port: 8000,
    });
    expect(read('{listen_error, {{127,0,0,1},4000}, eaddrinuse}')).toMatchObject({
      host: '127.0.0.1',
      port: 4000,
      errno: 'EADDRINUSE',
    });
    expect(read("Failed to listen on prefix 'http://+:80/' because it conflicts")).toEqual({
      port: 80,
    });
    expect(read('Failed to bind to localhost/127.0.0.1:8080')).toMatchObject({
      host: '127.0.0.1',
      port: 8080,
    });
    expect(read('Bind failed for TCP channel on endpoint [/0.0.0.0:80]')).toMatchObject({
      host: '0.0.0.0',
      port: 80,
    });
    expect(read('Bind for 0.0.0.0:8000-8010 failed: port is already allocated')).toMatchObject({
      port: 8000,
    });
    expect(read('listen tcp :8080: bind: address already in use')).toEqual({
      port: 8080,
      errno: 'EADDRINUSE',
      reuseAddr: true,
    });
  });

  it('never reads source lines, timestamps, pids, codes or success lines as ports', () => {
    const silent = [
      'E0811 09:56:00.630759   39164 main.go:26] listen tcp: bind: address already in use',
      '[11748] 31 Jan 09:24:28.556 # Redis version=5.0.10, pid=11748, just started',
      'socket_bind(): unable to bind address [10048]: Only one usage of each socket address',
      '* Listening on http://0.0.0.0:9292\nOSError: [Errno 98] Address already in use',
      'serve(app, host="0.0.0.0", port=80)\nOSError: [Errno 98] Address already in use',
      'In TcpServer.php line 164: failed',
    ];
    for (const text of silent) expect(parseBindFailureMessage(text).port).toBeUndefined();
  });

  it('flags Windows 10013 in every language as the misleading permission error it is', () => {
    for (const text of [
      'listen tcp :8080: bind: An attempt was made to access a socket in a way forbidden by its access permissions.',
      'SocketException (10013): Der Zugriff auf einen Socket war aufgrund der Zugriffsrechte des Sockets unzulässig.',
      '[WinError 10013] 以一种访问权限不允许的方式做了一个访问套接字的尝试。',
    ]) {
      expect(parseBindFailureMessage(text)).toMatchObject({ errno: 'EACCES', windows: true });
    }
    expect(
      parseBindFailureMessage('listen EACCES: permission denied 0.0.0.0:80'),
    ).not.toHaveProperty('windows');
  });
});
