import { describe, expect, it } from 'vitest';
import { isRebindError } from '@rebind/core';
import { findNginx, parseNginxVersion } from './find-nginx.js';

describe('parseNginxVersion', () => {
  it('reads the version and configure arguments of Debian and self-built binaries', () => {
    const debian =
      "nginx version: nginx/1.22.1\nbuilt with OpenSSL 3.0.9\nTLS SNI support enabled\nconfigure arguments: --with-cc-opt='-g -O2' --prefix=/usr/share/nginx\n";
    expect(parseNginxVersion(debian)).toEqual({
      version: '1.22.1',
      parts: [1, 22, 1],
      configureArguments: "--with-cc-opt='-g -O2' --prefix=/usr/share/nginx",
    });
    expect(parseNginxVersion('nginx version: openresty/1.25.3.1\n')?.version).toBe('1.25.3');
    expect(parseNginxVersion('bash: nginx: command not found')).toBeUndefined();
  });
});

describe('findNginx', () => {
  it('names a missing binary and the fix', async () => {
    const error: unknown = await findNginx('/nonexistent/sbin/nginx').catch((e: unknown) => e);
    expect(isRebindError(error, 'REBIND_COMPONENT_MISSING')).toBe(true);
    expect((error as Error).message).toBe(
      'The nginx binary `/nonexistent/sbin/nginx` does not exist or is not executable. Pass the path of an executable nginx as `binary`.',
    );
  });

  it('refuses a binary that prints no nginx version', async () => {
    const error: unknown = await findNginx('/bin/true').catch((e: unknown) => e);
    expect(isRebindError(error, 'REBIND_NGINX_UNSUPPORTED_VERSION')).toBe(true);
  });
});
