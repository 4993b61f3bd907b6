// What rebind adds to a project's install, read from the project's package-lock.json:
// the packages reachable from the @rebind packages but not from the test runner, their
// size on disk, and which of them run an install script.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

interface LockEntry {
  readonly dependencies?: Record<string, string>;
  readonly optionalDependencies?: Record<string, string>;
  readonly peerDependencies?: Record<string, string>;
  readonly hasInstallScript?: boolean;
}

export interface Footprint {
  /** Third-party packages (not @rebind/*) that only rebind brings, by name. */
  readonly thirdParty: readonly string[];
  /** The @rebind packages installed. */
  readonly rebind: readonly string[];
  /** Bytes on disk of the third-party packages, and of the @rebind packages. */
  readonly thirdPartyBytes: number;
  readonly rebindBytes: number;
  /** Packages (rebind's or third-party ones it brings) with an install script. */
  readonly installScripts: readonly string[];
  /** The whole node_modules, the runner included: packages and bytes. */
  readonly total: { readonly packages: number; readonly bytes: number };
}

const nameOf = (key: string) => key.slice(key.lastIndexOf('node_modules/') + 13);

/** The lock keys reachable from the root's dependencies `roots`, by Node's resolution. */
function closure(packages: Record<string, LockEntry>, roots: readonly string[]): Set<string> {
  const seen = new Set<string>();
  const resolve = (from: string, name: string): string | undefined => {
    for (let at = from; ;) {
      const key = `${at === '' ? '' : `${at}/`}node_modules/${name}`;
      if (packages[key] !== undefined) return key;
      if (at === '') return undefined;
      const i = at.lastIndexOf('/node_modules/');
      at = i === -1 ? '' : at.slice(0, i);
    }
  };
  const visit = (key: string | undefined) => {
    if (key === undefined || seen.has(key)) return;
    seen.add(key);
    const e = packages[key] ?? {};
    const deps = { ...e.dependencies, ...e.optionalDependencies, ...e.peerDependencies };
    for (const dep of Object.keys(deps)) visit(resolve(key, dep));
  };
  for (const root of roots) visit(resolve('', root));
  return seen;
}

function bytes(path: string): number {
  let total = 0;
  for (const entry of readdirSync(path, { withFileTypes: true })) {
    const p = join(path, entry.name);
    if (entry.isDirectory()) total += bytes(p);
    else if (entry.isFile()) total += statSync(p).size;
  }
  return total;
}

/** The footprint of the @rebind packages in `dir`, beyond what `runner` (vitest, jest) brings. */
export function footprint(dir: string, runner: string): Footprint {
  const lock = JSON.parse(readFileSync(join(dir, 'package-lock.json'), 'utf8')) as {
    packages: Record<string, LockEntry>;
  };
  const root = lock.packages[''] ?? {};
  const direct = Object.keys({
    ...root.dependencies,
    ...(root as { devDependencies?: object }).devDependencies,
  });
  const ours = closure(
    lock.packages,
    direct.filter((n) => n.startsWith('@rebind/')),
  );
  const theirs = closure(lock.packages, [runner]);
  const only = [...ours].filter((k) => !theirs.has(k));
  const thirdParty = only.filter((k) => !nameOf(k).startsWith('@rebind/'));
  const rebind = only.filter((k) => nameOf(k).startsWith('@rebind/'));
  const sum = (keys: string[]) => keys.reduce((n, k) => n + bytes(join(dir, k)), 0);
  return {
    thirdParty: thirdParty.map(nameOf).sort(),
    rebind: rebind.map(nameOf).sort(),
    thirdPartyBytes: sum(thirdParty),
    rebindBytes: sum(rebind),
    installScripts: only
      .filter((k) => lock.packages[k]?.hasInstallScript)
      .map(nameOf)
      .sort(),
    total: {
      packages: Object.keys(lock.packages).filter((k) => k.includes('node_modules/')).length,
      bytes: bytes(join(dir, 'node_modules')),
    },
  };
}

/** One line for the log, e.g. "2 third-party packages beyond vitest (debug, ms), 0.1 MB; ...". */
export function formatFootprint(f: Footprint, runner: string): string {
  const mb = (n: number) => `${(n / 1e6).toFixed(2)} MB`;
  return [
    `${f.thirdParty.length} third-party packages beyond ${runner} (${f.thirdParty.join(', ') || 'none'}), ${mb(f.thirdPartyBytes)}`,
    `${f.rebind.length} @rebind packages, ${mb(f.rebindBytes)}`,
    `install scripts: ${f.installScripts.length === 0 ? 'none' : f.installScripts.join(', ')}`,
    `whole node_modules with ${runner}: ${f.total.packages} packages, ${mb(f.total.bytes)}`,
  ].join('; ');
}
