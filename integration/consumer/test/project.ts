// Fresh user projects outside the workspace: `npm init -y` in a temp dir, then
// `npm install -D` of packed tarballs, as a user installs from the registry. The @rebind
// packages a tarball depends on resolve to the other tarballs through `overrides`, so the
// project's package.json lists only what the user asked for.
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { nginxMastersUnder } from '@rebind/test-support';

const repo = fileURLToPath(new URL('../../../', import.meta.url));

export interface Run {
  readonly code: number;
  /** stdout and stderr, interleaved as they came. */
  readonly output: string;
}

/** The environment of a process run in a project: the workspace's npm and Vitest removed. */
export function cleanEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { CI: '1', FORCE_COLOR: '0', NO_COLOR: '1' };
  for (const [key, value] of Object.entries(process.env))
    if (!/^(npm_|VITEST|NODE_OPTIONS$|INIT_CWD$|TURBO_)/i.test(key)) env[key] = value;
  return { ...env, ...extra };
}

export function run(
  file: string,
  args: readonly string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv; timeout?: number },
): Promise<Run> {
  return new Promise((resolve) => {
    const child = execFile(
      file,
      args,
      {
        cwd: options.cwd,
        env: cleanEnv(options.env),
        timeout: options.timeout ?? 180_000,
        maxBuffer: 64 * 1024 * 1024,
      },
      (error) => resolve({ code: error ? Number(error.code ?? 1) || 1 : 0, output }),
    );
    let output = '';
    child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  });
}

/** Packs every public package of packages/ (npm pack) into `dir`; tarball path by name. */
export async function packAll(dir: string): Promise<Map<string, string>> {
  const root = process.env.REBIND_CONSUMER_PACKAGES ?? join(repo, 'packages');
  const tarballs = new Map<string, string>();
  for (const entry of readdirSync(root).sort()) {
    const pkg = JSON.parse(readFileSync(join(root, entry, 'package.json'), 'utf8')) as {
      name: string;
      private?: boolean;
    };
    if (pkg.private) continue;
    const r = await run('npm', ['pack', '--json', '--pack-destination', dir], {
      cwd: join(root, entry),
    });
    if (r.code !== 0) throw new Error(`npm pack ${pkg.name} failed:\n${r.output}`);
    const [packed] = JSON.parse(r.output.slice(r.output.indexOf('['))) as { filename: string }[];
    tarballs.set(pkg.name, join(dir, (packed as { filename: string }).filename));
  }
  return tarballs;
}

export interface Project {
  readonly dir: string;
  /** Writes a file (creating its directory); returns its path. */
  write(path: string, content: string): string;
  /** Runs a program in the project, with `node_modules/.bin` first in PATH. */
  run(file: string, args: readonly string[], env?: NodeJS.ProcessEnv): Promise<Run>;
  /** Removes the project; fails if an nginx it started is still running. */
  remove(): void;
}

/**
 * A project in a fresh temp dir: `npm init -y` (so `"type": "commonjs"`, as npm 11
 * writes it), then `npm install -D` of the @rebind packages named (from their tarballs)
 * and of `registry` specs (from the registry, e.g. `vitest@^4.1.12`).
 */
export async function createProject(
  tarballs: ReadonlyMap<string, string>,
  install: readonly string[],
  registry: readonly string[] = [],
): Promise<Project> {
  const dir = mkdtempSync(join(tmpdir(), 'rebind-consumer-'));
  const tmp = join(dir, '.tmp');
  mkdirSync(tmp);
  const project: Project = {
    dir,
    write(path, content) {
      mkdirSync(dirname(join(dir, path)), { recursive: true });
      writeFileSync(join(dir, path), content);
      return join(dir, path);
    },
    run: (file, args, env = {}) =>
      run(file, args, {
        cwd: dir,
        env: {
          PATH: `${join(dir, 'node_modules/.bin')}:${process.env.PATH ?? ''}`,
          // servers' prefixes and the runners' caches go here, so leftovers are visible
          TMPDIR: tmp,
          ...env,
        },
      }),
    remove() {
      const left = nginxMastersUnder(tmp);
      rmSync(dir, { recursive: true, force: true });
      if (left.length > 0) throw new Error(`nginx left running: ${left.map((r) => r.pid).join()}`);
    },
  };
  try {
    const init = await project.run('npm', ['init', '-y']);
    if (init.code !== 0) throw new Error(`npm init -y failed:\n${init.output}`);
    const pkgPath = join(dir, 'package.json');
    const pkg = JSON.parse(readFileSync(pkgPath, 'utf8')) as Record<string, unknown>;
    pkg.overrides = Object.fromEntries(
      [...tarballs].filter(([name]) => !install.includes(name)).map(([n, t]) => [n, `file:${t}`]),
    );
    writeFileSync(pkgPath, `${JSON.stringify(pkg, null, 2)}\n`);
    const specs = install.map((name) => {
      const tarball = tarballs.get(name);
      if (tarball === undefined) throw new Error(`${name} was not packed`);
      return tarball;
    });
    const r = await project.run('npm', [
      'install',
      '-D',
      '--no-audit',
      '--no-fund',
      '--prefer-offline',
      ...specs,
      ...registry,
    ]);
    if (r.code !== 0) throw new Error(`npm install failed:\n${r.output}`);
    return project;
  } catch (error) {
    project.remove();
    throw error;
  }
}

/** `name@range` of a tool the workspace tests with (a devDependency of `from`). */
export function workspaceRange(name: string, from = 'package.json'): string {
  const pkg = JSON.parse(readFileSync(join(repo, from), 'utf8')) as {
    devDependencies: Record<string, string>;
  };
  const range = pkg.devDependencies[name];
  if (range === undefined) throw new Error(`${name} is not a devDependency of ${from}`);
  return `${name}@${range}`;
}
