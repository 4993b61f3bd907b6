import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { processTree, type RestartStrategy } from '@rebind/core';
import { startNginx } from '@rebind/nginx';
import { nginxMastersUnder, requireComponent } from '@rebind/test-support';

// Each answer carries the worker's pid ($pid): it must belong to the new master's tree.
const snippet = 'location / { return 200 "$pid"; }';

async function firstAnswer(url: string): Promise<number> {
  const response = await fetch(url);
  expect(response.status).toBe(200);
  return Number(await response.text());
}

// Every instance is gone after its test: no master left, no prefix directory.
const prefixes: string[] = [];
afterEach(() => {
  for (const prefix of prefixes.splice(0)) {
    expect(nginxMastersUnder(prefix)).toEqual([]);
    expect(existsSync(prefix)).toBe(false);
  }
});

describe.runIf(requireComponent('nginx'))('200 back-to-back restarts per strategy', () => {
  const strategies: RestartStrategy[] = ['wait', 'fresh-port', 'reuseport', 'inherit', 'reload'];
  for (const strategy of strategies) {
    it(`'${strategy}': no failure, every first answer from the new instance`, async () => {
      await using web = await startNginx({ snippet, restartStrategy: strategy });
      prefixes.push(web.prefix);
      const port = web.port;
      const ports = new Set<number>();
      let stale = 0;
      let samePort = 0;
      for (let i = 0; i < 200; i++) {
        const previous = processTree(web.pid);
        const previousPort = web.port;
        await web.restart();
        ports.add(web.port);
        if (web.port === previousPort) samePort++;
        const worker = await firstAnswer(web.url);
        const current = processTree(web.pid);
        if (!current.includes(worker) || (strategy !== 'reload' && previous.includes(worker)))
          stale++;
        if (strategy === 'reload' && previous.slice(1).includes(worker)) stale++;
      }
      expect(stale).toBe(0);
      if (strategy === 'fresh-port') {
        // Every restart moves to a port the running instance did not hold (rotating
        // through the instance's leased ports).
        expect(samePort).toBe(0);
        expect(ports.size).toBeGreaterThan(1);
      } else expect([...ports]).toEqual([port]);
    });
  }
});

describe.runIf(requireComponent('nginx'))('pid files across restarts', () => {
  // An overlapping restart runs the old master beside the new one; the old one deletes
  // its pid file as it exits. A shared pid file was deleted under the new master.
  const strategies: RestartStrategy[] = ['wait', 'fresh-port', 'reuseport', 'inherit', 'reload'];
  for (const strategy of strategies) {
    it(`'${strategy}': after every restart, one pid file (0600), naming the current master`, async () => {
      await using web = await startNginx({ snippet, restartStrategy: strategy });
      prefixes.push(web.prefix);
      const logs = join(web.prefix, 'logs');
      const pidFiles = () => readdirSync(logs).filter((name) => name.endsWith('.pid'));
      for (let i = 0; i < 4; i++) {
        if (i > 0) await web.restart();
        const files = pidFiles();
        expect(files).toHaveLength(1);
        const path = join(logs, files[0] as string);
        expect(Number(readFileSync(path, 'utf8').trim())).toBe(web.pid);
        expect((statSync(path).mode & 0o777).toString(8)).toBe('600');
      }
    });
  }
});
