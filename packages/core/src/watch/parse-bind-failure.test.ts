import { describe, expect, it } from 'vitest';
import { parseBindFailureMessage, splitHostPort } from './parse-bind-failure.js';

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
