import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startNginx, type StartedNginx } from '@rebind/nginx';
import { requireComponent } from '@rebind/test-support';
import { rejection } from '../src/rejection.js';

const dirs: string[] = [];
const started: StartedNginx[] = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map((web) => web.stop()));
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'rebind-nginx-test-'));
  dirs.push(dir);
  return dir;
}

const body = async (url: string) => (await fetch(url)).text();

describe.runIf(requireComponent('nginx'))('nginx configuration', () => {
  it('maps an error in a snippet to the snippet line', async () => {
    const error = await rejection(
      startNginx({ snippet: 'location / {\n  return 200 "ok";\n  proxy_pass_nope x;\n}' }),
    );
    expect(error.code).toBe('REBIND_CONFIG_INVALID');
    expect(error.message.split('\n')[0]).toMatch(
      /^nginx rejected the configuration: unknown directive "proxy_pass_nope" in <snippet>:3 \(rendered copy: \/tmp\/rebind-nginx-\w+\/conf\/nginx\.conf:\d+, `proxy_pass_nope x;`\)\. Fix that line\. nginx's output:$/,
    );
  });

  it('keeps the rendered copy a config error names when keepPrefix is set', async () => {
    const error = await rejection(startNginx({ snippet: 'bogus_directive on;', keepPrefix: true }));
    const { rendered } = error.details as { rendered: string };
    dirs.push(dirname(dirname(rendered)));
    expect(readFileSync(rendered, 'utf8')).toContain('bogus_directive on;');
    expect(error.message).toContain(`, \`bogus_directive on;\`). Fix that line.`);
  });

  it('a config holding only a server block gets a hint at snippet', async () => {
    const error = await rejection(
      startNginx({ config: 'server {\n  location / { return 200 "hi"; }\n}\n' }),
    );
    expect(error.code).toBe('REBIND_CONFIG_INVALID');
    expect(error.message.split('\n')[0]).toMatch(
      /^nginx rejected the configuration: "server" directive is not allowed here in <config>:1 \(rendered copy: \/tmp\/rebind-nginx-\w+\/conf\/nginx\.conf:\d+, `server \{`\)\. Fix that line\. `config` is a whole nginx\.conf \(with `events \{\}` and `http \{\}`\); pass server blocks, or a server's body, as `snippet` instead\. nginx's output:$/,
    );
  });

  it('maps an error in an included file to that file and line', async () => {
    const dir = tempDir();
    writeFileSync(
      join(dir, 'site.conf'),
      'server {\n  listen 8080;\n  location / { return 200 "site"; }\n  gzip maybe;\n}\n',
    );
    writeFileSync(join(dir, 'nginx.conf'), 'events {}\nhttp {\n  include site.conf;\n}\n');
    const error = await rejection(startNginx({ config: join(dir, 'nginx.conf') }));
    expect(error.details).toMatchObject({ file: join(dir, 'site.conf'), line: 4 });
    expect(error.message).toContain(
      `invalid value "maybe" in "gzip" directive, it must be "on" or "off" in ${join(dir, 'site.conf')}:4 (rendered copy:`,
    );
  });

  it('serves every listen of a real config on allocated loopback ports', async () => {
    const dir = tempDir();
    writeFileSync(
      join(dir, 'nginx.conf'),
      [
        'events {}',
        'http {',
        '  server { listen 80; listen [::]:80; location / { return 200 "main"; } }',
        '  server { listen 0.0.0.0:8443; location / { return 200 "second"; } }',
        '}',
      ].join('\n'),
    );
    const web = await startNginx({ config: join(dir, 'nginx.conf') });
    started.push(web);
    expect(Object.keys(web.ports)).toEqual(['80', '8443']);
    expect(await body(web.url)).toBe('main');
    expect(await body(`http://127.0.0.1:${web.ports['8443']}/`)).toBe('second');
    await web.restart();
    expect(await body(`http://127.0.0.1:${web.ports['8443']}/`)).toBe('second');
  });

  it("'reload' picks up an edited config; a broken edit is reported and the old one keeps serving", async () => {
    const dir = tempDir();
    const conf = join(dir, 'nginx.conf');
    const write = (directive: string) =>
      writeFileSync(conf, `events {}\nhttp {\n  server {\n    ${directive}\n  }\n}\n`);
    write('location / { return 200 "one"; }');
    const web = await startNginx({ config: conf, restartStrategy: 'reload' });
    started.push(web);
    const master = web.pid;
    write('location / { return 200 "two"; }');
    await web.restart();
    expect(await body(web.url)).toBe('two');
    write('location / { retur 200 "three"; }');
    const error = await rejection(web.restart());
    expect(error.message).toContain(`unknown directive "retur" in ${conf}:4 (rendered copy:`);
    expect(await body(web.url)).toBe('two');
    expect(web.pid).toBe(master);
  });
});
