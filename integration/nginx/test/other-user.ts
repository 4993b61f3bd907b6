// What another user can do to an instance's files: probes run as `node -e` under setpriv.
import { execFile } from 'node:child_process';
import { lstatSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

/** Runs `node -e script` as `uid`:`gid` (no passwd entry needed); resolves to what it printed. */
export function asUser(
  uid: number,
  gid: number,
  script: string,
  ...args: string[]
): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      'setpriv',
      ['--reuid', String(uid), '--regid', String(gid), '--clear-groups'].concat(
        process.execPath,
        '-e',
        script,
        ...args,
      ),
      { timeout: 10_000 },
      (error, stdout, stderr) =>
        error ? reject(new Error(stderr || error.message)) : resolve(stdout.trim()),
    );
  });
}

// Prints, for each path in argv, what the other user got: `ok` or the error code.
export const tryRead = `
const fs = require('node:fs');
const out = [];
for (const p of process.argv.slice(1)) {
  try { fs.statSync(p).isDirectory() ? fs.readdirSync(p) : fs.readFileSync(p); out.push('ok'); }
  catch (e) { out.push(e.code); }
}
console.log(out.join(' '));`;

export const tryWrite = `
const fs = require('node:fs');
try { fs.writeFileSync(process.argv[1], 'x'); console.log('ok'); } catch (e) { console.log(e.code); }`;

export const tryConnect = `
const s = require('node:net').connect(process.argv[1]);
s.on('connect', () => { console.log('ok'); s.destroy(); });
s.on('error', (e) => console.log(e.code));`;

export interface Entry {
  readonly path: string;
  readonly mode: number;
  readonly uid: number;
  readonly socket: boolean;
}

/** Every entry under `dir`, with its mode and owner. */
export function walk(dir: string): Entry[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    const st = lstatSync(path);
    const entry = { path, mode: st.mode & 0o777, uid: st.uid, socket: st.isSocket() };
    return st.isDirectory() ? [entry, ...walk(path)] : [entry];
  });
}

/** The octal mode of each path under `prefix` ('' is the prefix, `socket` the readiness socket). */
export function modesOf(prefix: string, socket: string): Record<string, string> {
  const mode = (path: string) => (lstatSync(path).mode & 0o777).toString(8);
  return Object.fromEntries(
    [
      '',
      'conf',
      'logs',
      'run',
      'temp',
      'conf/nginx.conf',
      'logs/error.log',
      'logs/access.log',
      'logs/nginx.pid',
    ]
      .map((p) => [p || '.', mode(join(prefix, p))])
      .concat([['socket', mode(socket)]]),
  );
}
