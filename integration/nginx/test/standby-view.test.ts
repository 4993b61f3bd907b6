// `standby()`: the ready standby as the handle reports it once a restart swaps it in (the
// runners hand it to a test worker before the swap, so that the next test starts at once).
import { describe, expect, it } from 'vitest';
import { startNginx } from '@rebind/nginx';
import { nginxMastersUnder, requireComponent } from '@rebind/test-support';

describe.runIf(requireComponent('nginx'))('standby()', () => {
  it('is what the next restart swaps in', async () => {
    const snippet = `server { listen 80; location / { return 200 "$pid"; } }`;
    const web = await startNginx({ snippet, restartStrategy: 'fresh-port', standby: true });
    try {
      for (let i = 0; i < 3; i++) {
        const view = await web.standby();
        expect(view).toBeDefined();
        expect(view?.pid).not.toBe(web.pid);
        expect(view?.port).not.toBe(web.port);
        await web.restart();
        const now = { host: web.host, port: web.port, ports: web.ports, url: web.url };
        expect(view).toEqual({ ...now, token: web.token, pid: web.pid });
        expect(await (await fetch(web.url)).text()).not.toBe('');
      }
    } finally {
      await web.stop();
    }
    expect(nginxMastersUnder(web.prefix)).toEqual([]);
  });

  it('is undefined without a standby', async () => {
    const web = await startNginx({ snippet: 'location / { return 200; }' });
    try {
      expect(await web.standby()).toBeUndefined();
    } finally {
      await web.stop();
    }
  });
});
