import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startNginx } from '@rebind/nginx';
import { requireComponent } from '@rebind/test-support';
import { asUser, modesOf, tryConnect, tryRead, tryWrite, walk } from './other-user.js';

// A second, unprivileged user (no passwd entry needed: setpriv takes any uid).
const OTHER_UID = 65533;
const asOtherUser = (script: string, ...args: string[]) =>
  asUser(OTHER_UID, OTHER_UID, script, ...args);

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
    expect(modesOf(prefix, socket?.path ?? '')).toEqual({
      '.': '711',
      conf: '700',
      logs: '700',
      run: '700',
      temp: '711',
      'conf/nginx.conf': '600',
      'logs/error.log': '600',
      'logs/access.log': '600',
      'logs/nginx.pid': '600',
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
