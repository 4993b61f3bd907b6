import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { allocatePort, processTree } from '@rebind/core';
import { startNginx } from '@rebind/nginx';
import { nginxMastersUnder, requireComponent } from '@rebind/test-support';

describe.runIf(requireComponent('nginx'))("'fresh-port' with a standby", () => {
  it('each restart swaps in a new master that no request reached before the swap', async () => {
    // Every request any instance answers, with the answering worker and the time (rebind
    // puts the log in the prefix's logs/, which all instances of the handle share).
    const snippet = `log_format t '$pid $msec'; server { listen 80; access_log requests.log t; location / { return 200 "$pid"; } }`;
    const web = await startNginx({ snippet, restartStrategy: 'fresh-port', standby: true });
    const swaps: { master: number; workers: number[]; at: number }[] = [];
    let lines: string[] = [];
    try {
      for (let i = 0; i < 20; i++) {
        const before = web.pid;
        await new Promise((resolve) => setTimeout(resolve, 30)); // a test's own work
        await web.restart();
        const at = Date.now() / 1000;
        expect(web.pid).not.toBe(before);
        const workers = processTree(web.pid).slice(1);
        swaps.push({ master: web.pid, workers, at });
        // The first answer after the swap is the new instance's own.
        const answer = Number(await (await fetch(web.url)).text());
        expect(workers).toContain(answer);
      }
    } finally {
      lines = readFileSync(join(web.prefix, 'logs', 'requests.log'), 'utf8')
        .trim()
        .split('\n');
      await web.stop();
    }
    expect(nginxMastersUnder(web.prefix)).toEqual([]);
    // No instance answered anything before it was swapped in.
    expect(lines).toHaveLength(20);
    for (const line of lines) {
      const [pid, msec] = line.split(' ').map(Number);
      const swap = swaps.find((s) => s.workers.includes(pid ?? 0));
      expect(swap, line).toBeDefined();
      expect(msec).toBeGreaterThanOrEqual((swap?.at ?? 0) - 0.001);
    }
  });

  it('after a config edit, the restart starts nginx on the new config (the standby ran the old one)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rebind-standby-config-'));
    const config = join(dir, 'nginx.conf');
    const write = (body: string) =>
      writeFileSync(config, `events {} http { server { listen 80; return 200 "${body}"; } }`);
    write('one');
    const web = await startNginx({ config, restartStrategy: 'fresh-port', standby: true });
    try {
      await web.restart(); // swaps in the standby
      expect(await (await fetch(web.url)).text()).toBe('one');
      write('two');
      await web.restart(); // the standby runs 'one': a new nginx starts on 'two'
      expect(await (await fetch(web.url)).text()).toBe('two');
      await web.restart(); // the rebuilt standby runs 'two'
      expect(await (await fetch(web.url)).text()).toBe('two');
    } finally {
      await web.stop();
      rmSync(dir, { recursive: true, force: true });
    }
    expect(nginxMastersUnder(web.prefix)).toEqual([]);
  });

  it('gives each instance its own error log and pid file', async () => {
    // A request for a missing file writes an [error] line to the answering instance's log.
    const snippet = 'server { listen 80; root /nonexistent; }';
    const web = await startNginx({ snippet, restartStrategy: 'fresh-port', standby: true });
    try {
      for (let i = 0; i < 3; i++) {
        expect((await fetch(new URL(`missing-${i}`, web.url))).status).toBe(404);
        const errorLog = await web.errorLog();
        expect(errorLog).toContain(`missing-${i}`);
        expect(errorLog).not.toContain(`missing-${i - 1}`);
        const pidFiles = readdirSync(join(web.prefix, 'logs')).filter((f) => f.endsWith('.pid'));
        const pids = pidFiles.map((f) => Number(readFileSync(join(web.prefix, 'logs', f), 'utf8')));
        expect(pids).toContain(web.pid);
        await web.restart();
      }
      // The shared error.log stays empty: no instance wrote there.
      expect(readFileSync(join(web.prefix, 'logs', 'error.log'), 'utf8')).toBe('');
    } finally {
      await web.stop();
    }
  });

  it('gives each instance its own access log: exactly its own requests, none before the swap', async () => {
    const snippet = 'server { listen 80; location / { return 204; } }';
    const web = await startNginx({ snippet, restartStrategy: 'fresh-port', standby: true });
    const logs = join(web.prefix, 'logs');
    const requests = (log: string) => [...log.matchAll(/"GET (\/\S*) HTTP/g)].map((m) => m[1]);
    const perFile = () =>
      readdirSync(logs)
        .filter((f) => /^access-\d+\.log$/.test(f))
        .map((f) => requests(readFileSync(join(logs, f), 'utf8')));
    const sent: string[][] = [];
    try {
      for (let i = 0; i < 4; i++) {
        // Swapped in (or just started): it has served nothing yet.
        expect(await web.accessLog()).toBe('');
        const mine = Array.from({ length: i + 1 }, (_, j) => `/instance-${i}-request-${j}`);
        for (const path of mine) expect((await fetch(new URL(path, web.url))).status).toBe(204);
        sent.push(mine);
        // nginx logs a request just after it answers: wait for the last line.
        await expect.poll(async () => requests(await web.accessLog())).toEqual(mine);
        await web.restart();
      }
      // One file per instance: each served exactly its own requests; the standby none.
      const files = perFile();
      expect(files.filter((f) => f.length > 0).sort((a, b) => a.length - b.length)).toEqual(sent);
      expect(files.length).toBeGreaterThan(sent.length);
      // The shared access.log stays empty: no instance wrote there.
      expect(readFileSync(join(logs, 'access.log'), 'utf8')).toBe('');
    } finally {
      await web.stop();
    }
    expect(nginxMastersUnder(web.prefix)).toEqual([]);
  });

  it("is refused with 'wait', 'reuseport', 'inherit', 'reload' or a fixed port, naming the combination and the fix", async () => {
    for (const strategy of ['wait', 'reuseport', 'inherit', 'reload'] as const) {
      await expect(
        startNginx({ snippet: 'return 200;', restartStrategy: strategy, standby: true }),
      ).rejects.toThrow(
        `The \`standby\` option needs \`restartStrategy: 'fresh-port'\`, got \`restartStrategy: '${strategy}'\`: the standby waits on another port while the current instance serves, and '${strategy}' keeps one port. Use \`restartStrategy: 'fresh-port'\`, or drop \`standby\`.`,
      );
    }
    const lease = await allocatePort();
    const port = lease.port;
    try {
      await expect(
        startNginx({ snippet: 'return 200;', port, restartStrategy: 'fresh-port', standby: true }),
      ).rejects.toThrow(
        `The \`standby\` option cannot be used with a fixed port (\`${port}\`): the standby and the current instance would both need it. Use \`port: 'auto'\` with \`restartStrategy: 'fresh-port'\`, or drop \`standby\`.`,
      );
    } finally {
      await lease.release();
    }
  });
});
