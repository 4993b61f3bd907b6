// rebind run by an unprivileged user A: its nginx prefix is A's alone. A second
// unprivileged user B can neither list, read nor write anything in it, nor connect to the
// readiness socket; A's nginx answers. A runs packed copies of @rebind/core and
// @rebind/nginx from its own home, never the checkout (whose parents A may not enter).
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { descendantsOf, requireComponent } from '@rebind/test-support';
import { asUser, modesOf, tryConnect, tryRead, tryWrite, walk } from './other-user.js';
import {
  canCreateUsers,
  createUser,
  installFor,
  processesOf,
  removeUser,
  type User,
} from './unprivileged-user.js';

// Run by A: starts nginx (a body larger than the buffer goes to client_body_temp), prints
// what it got, and stops when its stdin closes.
const serve = `
import { startNginx } from '@rebind/nginx';
const web = await startNginx({
  snippet: 'client_body_buffer_size 1k; location / { proxy_pass http://127.0.0.1:$server_port/echo; } location /echo { return 200 "got it"; }',
});
try {
  const res = await fetch(web.url + 'upload', { method: 'POST', body: 'x'.repeat(64 * 1024) });
  console.log(JSON.stringify({ prefix: web.prefix, url: web.url, pid: web.pid, answer: await res.text() }));
  for await (const _ of process.stdin);
} finally {
  await web.stop();
}`;

const cannot = canCreateUsers();
if (cannot !== undefined) console.warn(`skipping the unprivileged-user privacy test: ${cannot}`);

describe.runIf(requireComponent('nginx') && cannot === undefined)(
  'privacy of an instance run by an unprivileged user',
  () => {
    let a: User | undefined;
    let b: User | undefined;

    beforeAll(() => {
      a = createUser('a');
      b = createUser('b');
      // home 0711; tmp like /tmp (1777): B reaches the prefix, only its own modes stop B.
      chmodSync(a.home, 0o711);
      const app = join(a.home, 'app');
      mkdirSync(join(app, 'tmp'), { recursive: true });
      writeFileSync(join(app, 'package.json'), '{ "type": "module" }\n');
      writeFileSync(join(app, 'serve.js'), serve);
      installFor(a, app, ['core', 'nginx']);
      chmodSync(app, 0o711);
      chmodSync(join(app, 'tmp'), 0o1777);
    }, 120_000);

    // Ends what A still runs (a failed test's server and nginx) by pid, then removes both.
    afterAll(async () => {
      const users = [a, b].filter((user) => user !== undefined);
      const results = await Promise.allSettled(users.map(removeUser));
      for (const r of results) if (r.status === 'rejected') throw r.reason;
    }, 30_000);

    it("user B can neither list, read, write nor connect to anything in user A's prefix", async () => {
      const owner = a as User;
      const other = b as User;
      const app = join(owner.home, 'app');
      const child = spawn(process.execPath, ['serve.js'], {
        cwd: app,
        uid: owner.uid,
        gid: owner.gid,
        env: { PATH: process.env.PATH, HOME: owner.home, TMPDIR: join(app, 'tmp') },
        stdio: ['pipe', 'pipe', 'inherit'],
      });
      const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
      const line = await Promise.race([
        once(createInterface({ input: child.stdout }), 'line').then(([l]) => l as string),
        exited.then((code) => {
          throw new Error(`A's script exited with ${code} before it printed`);
        }),
      ]);
      const got = JSON.parse(line) as {
        prefix: string;
        url: string;
        pid: number;
        answer: string;
      };
      // A's nginx answers A and anyone on its port; its master and workers run as A.
      expect(got.answer).toBe('got it');
      expect(await (await fetch(`${got.url}echo`)).text()).toBe('got it');
      const workers = descendantsOf(got.pid);
      expect(workers.length).toBeGreaterThan(0);
      expect(processesOf(owner.uid)).toEqual(
        expect.arrayContaining([got.pid, ...workers.map((w) => w.pid)]),
      );

      const prefix = got.prefix;
      expect(prefix.startsWith(join(app, 'tmp', 'rebind-nginx-'))).toBe(true);
      const entries = walk(prefix);
      const socket = entries.find((e) => e.socket);
      expect(socket?.path).toMatch(/\/run\/ready-[0-9a-f]+\.sock$/);
      expect(modesOf(prefix, socket?.path ?? '')).toEqual({
        '.': '700',
        conf: '700',
        logs: '700',
        run: '700',
        temp: '700',
        'conf/nginx.conf': '600',
        'logs/error.log': '600',
        'logs/access.log': '600',
        'logs/nginx.pid': '600',
        socket: '600',
      });
      // Everything is A's, and open to nobody else (nginx's own temp paths included).
      expect(entries.filter((e) => e.uid !== owner.uid || (e.mode & 0o077) !== 0)).toEqual([]);

      const asB = (script: string, ...args: string[]) =>
        asUser(other.uid, other.gid, script, ...args);
      // B reaches the prefix (it can list A's tmp, as anyone can /tmp): only its modes stop B.
      expect(await asB(tryRead, join(app, 'tmp'))).toBe('ok');
      const paths = [prefix, ...entries.filter((e) => !e.socket).map((e) => e.path)];
      expect(await asB(tryRead, ...paths)).toBe(paths.map(() => 'EACCES').join(' '));
      expect(await asB(tryWrite, join(prefix, 'planted'))).toBe('EACCES');
      expect(await asB(tryWrite, join(prefix, 'temp', 'planted'))).toBe('EACCES');
      expect(await asB(tryConnect, socket?.path ?? '')).toBe('EACCES');

      child.stdin.end();
      expect(await exited).toBe(0);
      // nginx is gone at once; rebind's watchdog exits once its owner's pipe closed.
      const nginx = [got.pid, ...workers.map((w) => w.pid)];
      expect(processesOf(owner.uid).filter((pid) => nginx.includes(pid))).toEqual([]);
      await vi.waitFor(() => expect(processesOf(owner.uid)).toEqual([]), {
        timeout: 20_000,
        interval: 100,
      });
    });
  },
);
