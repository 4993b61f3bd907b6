import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isRebindError } from '@rebind/core';
import { binaryDefaults } from './binary-defaults.js';
import { startNginx } from './start-nginx.js';
import { validateNginxOptions } from './validate-nginx-options.js';

const dir = mkdtempSync(join(tmpdir(), 'rebind-nginx-unit-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A fake nginx: `-V` prints `version`; a run records its arguments and fails like nginx. */
function fakeNginx(version: string): { path: string; args: () => string } {
  const path = join(dir, `nginx-${version}`);
  const argsFile = `${path}.args`;
  writeFileSync(
    path,
    `#!/bin/sh
if [ "$1" = "-V" ]; then echo "nginx version: nginx/${version}" >&2; echo "configure arguments: --prefix=/opt/nginx" >&2; exit 0; fi
echo "$@" > ${argsFile}
echo "nginx: [emerg] unknown directive \\"fake\\" in /nowhere.conf:1" >&2
exit 1
`,
  );
  chmodSync(path, 0o755);
  return { path, args: () => readFileSync(argsFile, 'utf8').trim() };
}

describe('startNginx with a given binary', () => {
  it('passes -e only to nginx >= 1.19.5', async () => {
    for (const [version, withE] of [
      ['1.18.0', false],
      ['1.19.5', true],
    ] as const) {
      const fake = fakeNginx(version);
      const error: unknown = await startNginx({ binary: fake.path, snippet: 'return 200;' }).catch(
        (e: unknown) => e,
      );
      expect(isRebindError(error, 'REBIND_CONFIG_INVALID')).toBe(true);
      expect(fake.args().includes(' -e ')).toBe(withE);
      expect(fake.args()).toMatch(
        /^-p \/tmp\/rebind-nginx-\w+\/ -c \/tmp\/rebind-nginx-\w+\/conf\/nginx\.conf/,
      );
    }
  });

  it('says when the binary is missing', async () => {
    await expect(
      startNginx({ binary: join(dir, 'no-nginx'), snippet: 'return 200;' }),
    ).rejects.toThrow(
      `The nginx binary \`${join(dir, 'no-nginx')}\` does not exist or is not executable. Pass the path of an executable nginx as \`binary\`.`,
    );
  });

  it('validates its options', async () => {
    await expect(startNginx({ snippet: 'return 200;', config: 'x' })).rejects.toThrow(
      'Expected the `config` option to be a path or text, or else a `snippet` (exactly one of them), got `x` (string).',
    );
    await expect(
      startNginx({ snippet: 'return 200;', restartStrategy: 'hup' as never }),
    ).rejects.toThrow(
      "Expected the `restartStrategy` option to be one of 'wait', 'fresh-port', 'reuseport', 'inherit', 'reload', got `hup` (string).",
    );
    await expect(
      startNginx({ snippet: 'return 200;', restartStrategi: 'reload' } as never),
    ).rejects.toThrow(
      'Unknown option `restartStrategi` of startNginx. Did you mean `restartStrategy`?',
    );
    await expect(startNginx({ snippet: 'return 200;', port: 0 })).rejects.toThrow(
      "Expected the `port` option to be an integer from 1 to 65535, or `'auto'`, got `0` (number).",
    );
  });

  it('exports its validator, which names the path of a declaration', () => {
    expect(() =>
      validateNginxOptions(
        { snippet: 'return 200;', restartStrategi: 'reload' },
        'services.web.nginx',
      ),
    ).toThrow(
      'Unknown option `services.web.nginx.restartStrategi` of startNginx. Did you mean `services.web.nginx.restartStrategy`?',
    );
    expect(() => validateNginxOptions({}, 'services.web.nginx')).toThrow(
      'Expected the `services.web.nginx.config` option to be a path or text, or else a `snippet` (exactly one of them), got `undefined` (undefined).',
    );
    expect(() =>
      validateNginxOptions({ snippet: 'x', restartStrategy: 'hup' }, 'services.web.nginx'),
    ).toThrow(
      "Expected the `services.web.nginx.restartStrategy` option to be one of 'wait', 'fresh-port', 'reuseport', 'inherit', 'reload', got `hup` (string).",
    );
  });
});

describe('binaryDefaults', () => {
  it('knows the temp paths of the modules built in, and adds `user` only as root with a missing default user', () => {
    const binary = {
      path: '/x/nginx',
      version: '1.22.1',
      versionParts: [1, 22, 1] as const,
      supportsErrorLogFlag: true,
      configureArguments:
        '--prefix=/opt/n --user=rebind-no-such-user --without-http_uwsgi_module --without-http_scgi_module',
    };
    const defaults = binaryDefaults(binary);
    expect(defaults.tempPaths).toEqual([
      'client_body_temp_path',
      'proxy_temp_path',
      'fastcgi_temp_path',
    ]);
    expect(defaults.compiledPrefix).toBe('/opt/n');
    expect(defaults.addUser).toBe(process.getuid?.() === 0 ? 'nobody nogroup' : undefined);
    const withNobody = binaryDefaults({ ...binary, configureArguments: '' });
    expect(withNobody.addUser).toBeUndefined();
  });
});
