// User files follow the configuration: a restart with a new config removes the replaced
// config's files from the prefix (and serves the new ones); with `'reload'` (same master)
// the user files are written again, so the reloaded config finds its own pristine files.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startNginx, type StartedNginx } from '@rebind/nginx';
import { requireComponent } from '@rebind/test-support';

const started: StartedNginx[] = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map((web) => web.stop()));
});
const start = async (options: Parameters<typeof startNginx>[0]) => {
  const web = await startNginx(options);
  started.push(web);
  return web;
};
const get = async (url: string) => {
  const res = await fetch(url);
  return [res.status, await res.text()];
};

describe.runIf(requireComponent('nginx'))('user files across restarts', () => {
  it.each(['inherit', 'reload'] as const)(
    "%s: a new config's files replace the previous config's in the prefix",
    async (restartStrategy) => {
      const web = await start({
        restartStrategy,
        snippet: 'location / { }',
        userFiles: { 'html/old/a.html': 'old\n', 'html/both.html': 'first\n' },
      });
      const pid = web.pid;
      expect(await get(`${web.url}old/a.html`)).toEqual([200, 'old\n']);
      await web.restart({
        snippet: 'location / { }',
        userFiles: { 'html/new.html': 'new\n', 'html/both.html': 'second\n' },
      });
      expect(web.pid === pid).toBe(restartStrategy === 'reload');
      expect(await get(`${web.url}new.html`)).toEqual([200, 'new\n']);
      expect(await get(`${web.url}both.html`)).toEqual([200, 'second\n']);
      expect((await get(`${web.url}old/a.html`))[0]).toBe(404);
      expect(existsSync(join(web.prefix, 'html/old'))).toBe(false);
    },
  );

  it("'reload' with the same config writes the user files again (a test's change is undone)", async () => {
    const web = await start({
      restartStrategy: 'reload',
      snippet: 'location / { }',
      userFiles: { 'html/index.html': 'pristine\n' },
    });
    writeFileSync(join(web.prefix, 'html/index.html'), 'changed by a test\n');
    await web.restart();
    expect(await get(web.url)).toEqual([200, 'pristine\n']);
    expect(readFileSync(join(web.prefix, 'html/index.html'), 'utf8')).toBe('pristine\n');
  });
});
