import { execFile } from 'node:child_process';
import { lstatSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startNginx } from '@rebind/nginx';
import { requireComponent } from '@rebind/test-support';

// A second, unprivileged user (no passwd entry needed: setpriv takes any uid).
const OTHER_UID = 65533;

/** Runs `node -e script` as OTHER_UID; resolves to what it printed. */
function asOtherUser(script: string, ...args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      'setpriv',
      [
        '--reuid',
        String(OTHER_UID),
        '--regid',
        String(OTHER_UID),
        '--clear-groups',
        process.execPath,
        '-e',
        script,
        ...args,
      ],
      { timeout: 10_000 },
      (error, stdout, stderr) =>
        error ? reject(new Error(stderr || error.message)) : resolve(stdout.trim()),
    );
  });
}

// Prints, for each path in argv, what the other user got: `ok` or the error code.
const tryRead = `
const fs = require('node:fs');
const out = [];
for (const p of process.argv.slice(1)) {
  try { fs.statSync(p).isDirectory() ? fs.readdirSync(p) : fs.readFileSync(p); out.push('ok'); }
  catch (e) { out.push(e.code); }
}
console.log(out.join(' '));`;

const tryWrite = `
const fs = require('node:fs');
try { fs.writeFileSync(process.argv[1], 'x'); console.log('ok'); } catch (e) { console.log(e.code); }`;

const tryConnect = `
const s = require('node:net').connect(process.argv[1]);
s.on('connect', () => { console.log('ok'); s.destroy(); });
s.on('error', (e) => console.log(e.code));`;

/** Every entry under `dir`, with its mode and owner. */
function walk(dir: string): { path: string; mode: number; uid: number; socket: boolean }[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    const st = lstatSync(path);
    const entry = { path, mode: st.mode & 0o777, uid: st.uid, socket: st.isSocket() };
    return st.isDirectory() ? [entry, ...walk(path)] : [entry];
  });
}

const asRoot = process.getuid?.() === 0;

describe.runIf(requireComponent('nginx') && asRoot)('privacy of an instance run as root', () => {
  it('another user can neither read, list, write nor connect to anything in the prefix', async () => {
    // A body larger than the buffer goes to client_body_temp: the workers (an
    // unprivileged user) must still reach their temp paths.
    await using web = await startNginx({
      snippet:
        'client_body_buffer_size 1k; location / { proxy_pass http://127.0.0.1:$server_port/echo; } location /echo { return 200 "got it"; }',
    });
    const big = await fetch(`${web.url}upload`, { method: 'POST', body: 'x'.repeat(64 * 1024) });
    expect(await big.text()).toBe('got it');

    const prefix = web.prefix;
    const entries = walk(prefix);
    const socket = entries.find((e) => e.socket);
    expect(socket?.path).toMatch(/\/run\/ready-[0-9a-f]+\.sock$/);
    const mode = (path: string) => (lstatSync(path).mode & 0o777).toString(8);
    expect(
      Object.fromEntries(
        ['', 'conf', 'logs', 'run', 'temp', 'conf/nginx.conf', 'logs/error.log', 'logs/access.log']
          .map((p) => [p || '.', mode(join(prefix, p))])
          .concat([['socket', mode(socket?.path ?? '')]]),
      ),
    ).toEqual({
      '.': '711',
      conf: '700',
      logs: '700',
      run: '700',
      temp: '711',
      'conf/nginx.conf': '600',
      'logs/error.log': '600',
      'logs/access.log': '600',
      socket: '600',
    });
    // What nginx made for its workers belongs to the worker user, open to nobody else.
    for (const e of entries.filter((x) => x.uid !== 0)) expect(e.mode & 0o077).toBe(0);

    // The other user tries every entry (and the prefix): nothing can be listed or read.
    const paths = [prefix, ...entries.filter((e) => !e.socket).map((e) => e.path)];
    expect(await asOtherUser(tryRead, ...paths)).toBe(paths.map(() => 'EACCES').join(' '));
    expect(await asOtherUser(tryWrite, join(prefix, 'planted'))).toBe('EACCES');
    expect(await asOtherUser(tryWrite, join(prefix, 'temp', 'planted'))).toBe('EACCES');
    expect(await asOtherUser(tryConnect, socket?.path ?? '')).toBe('EACCES');
    // The next instance in the same prefix works the same way.
    await web.restart();
    const again = await fetch(`${web.url}upload`, { method: 'POST', body: 'y'.repeat(64 * 1024) });
    expect(await again.text()).toBe('got it');
  });
});
