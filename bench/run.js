// `npm run bench -- <name> [--smoke]`: runs one benchmark (or `all`). Each prints rebind's
// figures beside its peers' and the physical floor's, measured in the same run.
// `--smoke` runs with tiny counts: the test suite does that for every benchmark.
// `--only=standby` runs only the standby rows (nginx-restart, vitest-overhead).
import { readdirSync } from 'node:fs';

const dir = new URL('./benchmarks/', import.meta.url);
export const benchmarkNames = () =>
  readdirSync(dir)
    .filter((f) => f.endsWith('.js'))
    .map((f) => f.replace(/\.js$/, ''))
    .sort();

export async function runBenchmark(name, { smoke = false, print = console.log, only } = {}) {
  const module = await import(new URL(`${name}.js`, dir));
  return module.default({ smoke, print, only });
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const args = process.argv.slice(2);
  const smoke = args.includes('--smoke');
  // `--only=standby`: nginx-restart's and vitest-overhead's standby rows alone.
  const only = args.find((a) => a.startsWith('--only='))?.slice('--only='.length);
  const names = args.filter((a) => !a.startsWith('--'));
  const all = benchmarkNames();
  if (names.length === 0) {
    console.log(
      `Usage: npm run bench -- <name|all> [--smoke] [--only=standby]\nBenchmarks: ${all.join(', ')}`,
    );
    process.exit(2);
  }
  for (const name of names[0] === 'all' ? all : names) {
    if (!all.includes(name)) {
      console.error(`No benchmark \`${name}\`. Benchmarks: ${all.join(', ')}`);
      process.exit(2);
    }
    console.log(`\n== ${name}${smoke ? ' (smoke)' : ''} ==`);
    await runBenchmark(name, { smoke, only });
  }
}
