import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startNginx, type StartedNginx } from '@rebind/nginx';
import { requireComponent } from '@rebind/test-support';
import { rejection } from '../src/rejection.js';

const started: StartedNginx[] = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map((web) => web.stop()));
});
const start = async (options: Parameters<typeof startNginx>[0]) => {
  const web = await startNginx(options);
  started.push(web);
  return web;
};
const body = async (url: string) => (await fetch(url)).text();
const echoModule = '/usr/share/nginx/modules/ngx_http_echo_module.so';

describe.runIf(requireComponent('nginx'))('restart with a new configuration', () => {
  it('serves the new config on the same port and prefix, from a new master', async () => {
    const web = await start({ snippet: 'location / { return 200 "one"; }' });
    const { port, prefix, pid } = web;
    expect(await body(web.url)).toBe('one');
    await web.restart({ snippet: 'location /two { return 200 "two"; }' });
    expect([web.port, web.prefix]).toEqual([port, prefix]);
    expect(web.pid).not.toBe(pid);
    expect(await body(`${web.url}two`)).toBe('two');
    expect((await fetch(web.url)).status).toBe(404);
  });

  it('fails a rejected config with its own line quoted, and the next restart starts cleanly on the same port', async () => {
    const web = await start({ snippet: 'location / { return 200 "one"; }' });
    const port = web.port;
    const error = await rejection(
      web.restart({ snippet: 'location / {\n  retrun 200 "typo";\n}' }),
    );
    expect(error.code).toBe('REBIND_CONFIG_INVALID');
    expect(error.message).toMatch(
      /unknown directive "retrun" in <snippet>:2 \(rendered copy: \S+, `retrun 200 "typo";`\)/,
    );
    await web.restart({ snippet: 'location / { return 200 "fixed"; }' });
    expect(web.port).toBe(port);
    expect(await body(web.url)).toBe('fixed');
  });

  it("maps a listen port of the new config to the instance's port", async () => {
    const web = await start({ snippet: 'location / { return 200 "one"; }' });
    await web.restart({ snippet: 'server { listen 8080; location / { return 200 "8080"; } }' });
    expect(web.ports).toEqual({ '8080': web.port });
    expect(await body(web.url)).toBe('8080');
  });

  it('places userFiles in the prefix and httpConfig in the http block', async () => {
    const web = await start({
      snippet: 'location / { add_header X-Set $set; }',
      httpConfig: 'map $uri $set { default "from-http-config"; }',
      userFiles: { 'html/index.html': 'user file\n' },
    });
    const res = await fetch(web.url);
    expect(await res.text()).toBe('user file\n');
    expect(res.headers.get('x-set')).toBe('from-http-config');
  });

  it('keeps user files private: served ones readable by the workers by path only, conf/ ones 0600', async () => {
    const web = await start({
      snippet: 'location / { }',
      userFiles: { 'html/deep/page.html': 'deep\n', 'conf/extra.conf': '# master only\n' },
    });
    // As root nginx's workers run as nobody: this request proves they can read the file.
    expect(await body(`${web.url}deep/page.html`)).toBe('deep\n');
    const mode = (path: string) => statSync(join(web.prefix, path)).mode & 0o777;
    const root = process.getuid?.() === 0;
    expect(mode('html')).toBe(root ? 0o711 : 0o700);
    expect(mode('html/deep')).toBe(root ? 0o711 : 0o700);
    expect(mode('html/deep/page.html')).toBe(root ? 0o644 : 0o600);
    expect(mode('conf/extra.conf')).toBe(0o600);
    expect(mode('conf')).toBe(0o700);
  });

  it('refuses an unknown restart option with the closest key', async () => {
    const web = await start({ snippet: 'location / { return 200; }' });
    const error = await rejection(web.restart({ snipet: 'return 200;' } as never));
    expect(error.code).toBe('REBIND_INVALID_OPTION');
    expect(error.message).toMatch(
      /Unknown option `snipet` of nginx's restart\(\)\. Did you mean `snippet`\?/,
    );
  });

  it("returns only the current instance's error log lines", async () => {
    // A missing file under the default root is logged: `[error] open() "..." failed`.
    const web = await start({ snippet: 'location / { }' });
    await fetch(`${web.url}first-instance`);
    expect(await web.errorLog()).toMatch(/\[error\].*first-instance/);
    await web.restart();
    expect(await web.errorLog()).not.toContain('first-instance');
    await fetch(`${web.url}second-instance`);
    expect(await web.errorLog()).toMatch(/\[error\].*second-instance/);
  });

  it("returns only the current instance's access log lines", async () => {
    const web = await start({ snippet: 'location / { return 204; }' });
    await fetch(`${web.url}first-instance`);
    // nginx logs a request just after it answers.
    await expect.poll(() => web.accessLog()).toMatch(/"GET \/first-instance HTTP/);
    await web.restart();
    expect(await web.accessLog()).toBe('');
    await fetch(`${web.url}second-instance`);
    await expect.poll(() => web.accessLog()).toMatch(/^[^\n]*"GET \/second-instance HTTP[^\n]*\n$/);
  });

  it.runIf(existsSync(echoModule))('loads a dynamic module from mainConfig', async () => {
    const web = await start({
      mainConfig: 'load_module modules/ngx_http_echo_module.so;',
      snippet: 'location / { echo "echo says hi"; }',
    });
    expect(await body(web.url)).toBe('echo says hi\n');
  });

  it('names the package that provides a missing module', async () => {
    const error = await rejection(
      start({
        mainConfig: 'load_module modules/ngx_http_nonesuch_module.so;',
        snippet: 'location / { return 200; }',
      }),
    );
    expect(error.code).toBe('REBIND_CONFIG_INVALID');
    expect(error.message).toMatch(
      /^nginx rejected the configuration: dlopen\(\) "\/\S+\/modules\/ngx_http_nonesuch_module\.so" failed .* in <mainConfig>:1 \(rendered copy: \S+, `load_module "\/\S+\/ngx_http_nonesuch_module\.so";`\)\. The module `\/\S+\/ngx_http_nonesuch_module\.so` is not installed\. On Debian or Ubuntu it comes with the package `libnginx-mod-http-nonesuch` \(`apt-get install libnginx-mod-http-nonesuch`\)\./,
    );
  });

  it('refuses both config and snippet in a restart', async () => {
    const web = await start({ snippet: 'location / { return 200; }' });
    const error = await rejection(web.restart({ snippet: 'return 200;', config: 'events {}' }));
    expect(error.code).toBe('REBIND_INVALID_OPTION');
  });
});
