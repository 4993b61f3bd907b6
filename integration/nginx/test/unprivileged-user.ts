// A real unprivileged user for a test: created with useradd, removed with userdel -r, and a
// copy of the packages it runs in its own home (never the checkout, whose parents it may not
// be able to enter).
import { execFileSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';

const packages = fileURLToPath(new URL('../../../packages/', import.meta.url));

export interface User {
  readonly name: string;
  readonly uid: number;
  readonly gid: number;
  /** Its home (its own, 0700): HOME, TMPDIR and the installed packages live here. */
  readonly home: string;
}

/** Whether this process can create users (root, with useradd on PATH). */
export function canCreateUsers(): string | undefined {
  if (process.getuid?.() !== 0) return 'creating users needs root';
  try {
    execFileSync('useradd', ['--help'], { stdio: 'ignore' });
  } catch {
    return 'useradd is missing';
  }
  return undefined;
}

/** Creates a user with a unique name, its own group and a home; `removeUser` undoes it. */
export function createUser(tag: string): User {
  const name = `rb${tag}${process.pid.toString(36)}${Date.now().toString(36).slice(-4)}`;
  execFileSync('useradd', ['--create-home', '--user-group', '--shell', '/usr/sbin/nologin', name]);
  const [, , uid, gid, , home] = execFileSync('getent', ['passwd', name], { encoding: 'utf8' })
    .trim()
    .split(':');
  const user = { name, uid: Number(uid), gid: Number(gid), home: String(home) };
  execFileSync('chmod', ['0700', user.home]);
  return user;
}

/** The pids of `uid`'s live processes: a user made by this test runs only what the test started. */
export function processesOf(uid: number): number[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .filter((pid) => {
      try {
        const status = readFileSync(`/proc/${pid}/status`, 'utf8');
        // a zombie is dead: it waits for its parent (init, once reparented) to reap it
        return Number(/^Uid:\s+(\d+)/m.exec(status)?.[1]) === uid && !/^State:\s+Z/m.test(status);
      } catch {
        return false; // gone meanwhile
      }
    })
    .map(Number);
}

/**
 * Ends what the user still runs (a failed test's server and nginx), each by its pid, then
 * removes the user and its home (`userdel -r`, which refuses while it runs anything).
 */
export async function removeUser(user: User): Promise<void> {
  for (let tries = 0; ; tries++) {
    const left = processesOf(user.uid);
    if (left.length === 0) break;
    if (tries === 100) throw new Error(`${user.name} still runs ${left.join(', ')}`);
    for (const pid of left) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // gone meanwhile
      }
    }
    await sleep(100);
  }
  // userdel also refuses while a zombie of the user waits to be reaped
  for (let tries = 0; ; tries++) {
    try {
      execFileSync('userdel', ['--remove', user.name], { stdio: 'pipe' });
      return;
    } catch (error) {
      if (tries === 100) throw error;
      await sleep(100);
    }
  }
}

/** Where a package's dependency resolves from `dir`, as Node looks it up (node_modules upward). */
function resolvePackage(name: string, from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', name);
    if (existsSync(join(candidate, 'package.json'))) return candidate;
    if (dirname(dir) === dir) throw new Error(`${name} does not resolve from ${from}`);
  }
}

/**
 * Installs workspace packages (by folder under packages/) into `dir/node_modules` as a
 * user would get them: `npm pack`ed, then unpacked; their registry dependencies copied from
 * the workspace's node_modules (no network). Then gives `dir` to `user`.
 */
export function installFor(user: User, dir: string, folders: readonly string[]): void {
  const packs = mkdtempSync(join(tmpdir(), 'rebind-packs-'));
  try {
    const env = Object.fromEntries(
      Object.entries(process.env).filter(([key]) => !/^npm_/i.test(key)),
    );
    const copied = new Set<string>();
    const copyDeps = (from: string) => {
      const pkg = JSON.parse(readFileSync(join(from, 'package.json'), 'utf8')) as {
        dependencies?: Record<string, string>;
      };
      for (const dep of Object.keys(pkg.dependencies ?? {})) {
        if (dep.startsWith('@rebind/') || copied.has(dep)) continue;
        copied.add(dep);
        const source = resolvePackage(dep, from);
        cpSync(source, join(dir, 'node_modules', dep), { recursive: true, dereference: true });
        copyDeps(source);
      }
    };
    for (const folder of folders) {
      const source = join(packages, folder);
      const out = execFileSync('npm', ['pack', '--json', '--pack-destination', packs], {
        cwd: source,
        env,
        encoding: 'utf8',
      });
      const [packed] = JSON.parse(out.slice(out.indexOf('['))) as {
        name: string;
        filename: string;
      }[];
      if (packed === undefined) throw new Error(`npm pack printed nothing in ${source}`);
      const target = join(dir, 'node_modules', packed.name);
      mkdirSync(target, { recursive: true });
      execFileSync('tar', [
        '-xzf',
        join(packs, packed.filename),
        '-C',
        target,
        '--strip-components=1',
      ]);
      copyDeps(source);
    }
    execFileSync('chown', ['-R', `${user.uid}:${user.gid}`, dir]);
  } finally {
    rmSync(packs, { recursive: true, force: true });
  }
}
