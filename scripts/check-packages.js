// Checks every public package as the registry would serve it: publint (package.json,
// exports, files) and @arethetypeswrong/cli (types resolve for each entry point), both on
// the `npm pack` tarball, plus what neither checks: a LICENSE, repository/homepage/bugs/
// keywords, and README links that work on the registry's page (absolute, not ../).
// Exits 1 on any problem. `npm run test:all` runs it.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('../packages/', import.meta.url).pathname;
const bin = (name) => new URL(`../node_modules/.bin/${name}`, import.meta.url).pathname;
const problems = [];

function run(name, file, args, cwd) {
  try {
    execFileSync(file, args, {
      cwd,
      stdio: 'pipe',
      encoding: 'utf8',
      env: { ...process.env, FORCE_COLOR: '0' },
    });
    return true;
  } catch (error) {
    problems.push(
      `${name}: ${[file.split('/').pop(), ...args].join(' ')} failed:\n${error.stdout}${error.stderr}`,
    );
    return false;
  }
}

for (const entry of readdirSync(root).sort()) {
  const dir = join(root, entry);
  const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  if (pkg.private) continue;
  const name = pkg.name;
  const ok = [
    run(name, bin('publint'), ['--strict', '.'], dir),
    // ESM-only entry points: Node 16+ ESM and bundlers; node10 and require() do not apply.
    run(
      name,
      bin('attw'),
      ['--pack', '.', '--profile', 'esm-only', '--format', 'table-flipped'],
      dir,
    ),
  ];
  // an entry point with a `require` condition must also work from CommonJS
  const dual = Object.entries(pkg.exports).filter(
    ([, v]) => typeof v === 'object' && 'require' in v,
  );
  if (dual.length > 0)
    ok.push(
      run(
        name,
        bin('attw'),
        ['--pack', '.', '--profile', 'node16', '--entrypoints', ...dual.map(([k]) => k)],
        dir,
      ),
    );
  if (!existsSync(join(dir, 'LICENSE'))) problems.push(`${name}: no LICENSE file`);
  for (const field of ['repository', 'homepage', 'bugs', 'keywords'])
    if (pkg[field] === undefined) problems.push(`${name}: no \`${field}\` in package.json`);
  if (pkg.repository?.directory !== `packages/${entry}`)
    problems.push(`${name}: repository.directory should be packages/${entry}`);
  const readme = readFileSync(join(dir, 'README.md'), 'utf8');
  for (const [, link] of readme.matchAll(/\]\(([^)\s]+)\)/g))
    if (!/^(https?:|#)/.test(link))
      problems.push(`${name}: README link \`${link}\` is relative (broken on the registry's page)`);
  console.log(`${ok.every(Boolean) ? 'ok  ' : 'FAIL'} ${name}: publint, attw`);
}
if (problems.length > 0) {
  console.error(`\n${problems.join('\n')}`);
  process.exit(1);
}
console.log(
  'check-packages: every public package is clean (publint --strict, attw, LICENSE, metadata, README links)',
);
