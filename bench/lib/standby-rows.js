// vitest-overhead's standby section: nginx, a command service (the embedded Node HTTP
// server) and a container, each run as a per-test service with and without a standby and
// as a per-worker one (never restarted: the baseline), every test doing some work of its
// own: the time the next standby has to get ready (one standby hides at most that much of
// a start). 25 ms for each kind, and also a work time longer than a start on a loaded
// machine. Visible per-test overhead = interval minus the per-worker
// run's median interval. Goals: standby median overhead <= 1 ms (nginx), <= 2 ms
// (command), <= 5 ms (container). CPU time and peak memory of each run beside.
import { componentStatus } from '@rebind/test-support';
import { median, printTable } from './stats.js';

const goals = { nginx: 1, command: 2, container: 5 };
/** Each kind's runs: [ms of work per test, tests per run]. */
const plans = {
  nginx: [
    [25, 100],
    [250, 40],
  ],
  // A Node server is ready 0.25-0.3 s after its spawn on the 2-core VM (`node -e 0` alone
  // takes 0.2 s): 500 ms of work is the first that outlasts it.
  command: [
    [25, 100],
    [500, 40],
  ],
  container: [
    [25, 40],
    [800, 30],
  ],
};

export async function standbyRows({ smoke, print, runSuite }) {
  const results = [];
  for (const [kind, plan] of Object.entries(plans)) {
    const component = { nginx: 'nginx', container: 'docker' }[kind];
    const problem = component === undefined ? undefined : componentStatus(component);
    if (problem !== undefined) {
      print(`standby rows for ${kind} skipped: ${problem}`);
      continue;
    }
    for (const [work, count] of smoke ? plan.slice(0, 1) : plan)
      results.push(...(await compare({ kind, work, tests: smoke ? 4 : count, print, runSuite })));
  }
  return results;
}

async function compare({ kind, work, tests, print, runSuite }) {
  const run = (pristine, standby) =>
    runSuite('standby', tests, {
      REBIND_BENCH_SERVICE: kind,
      REBIND_BENCH_PRISTINE: pristine,
      REBIND_BENCH_STANDBY: standby ? '1' : '0',
      REBIND_BENCH_WORK_MS: String(work),
    });
  const kept = await run('per-worker', false);
  const plain = await run('per-test', false);
  const standby = await run('per-test', true);
  const base = median(kept);
  const row = (name, intervals) => ({
    name,
    samples: intervals.map((v) => v - base),
    'cpu s': intervals.cpuMs / 1000,
    'peak MB': intervals.peakMb,
    stale: intervals.stale,
    'not pristine': intervals.hits.filter((h) => h !== 1).length,
  });
  print(
    `\n${kind}: ${tests} tests per run, ${work} ms of work each; per-worker (no restart) median interval ${base.toFixed(2)} ms`,
  );
  const rows = printTable(
    `${kind}, ${work} ms of work per test: visible per-test overhead (interval - no-restart median), with and without a standby (one run)`,
    [
      row('per-worker (no restart)', kept),
      row('per-test', plain),
      row('per-test + standby', standby),
    ],
    { print, extra: ['cpu s', 'peak MB', 'stale', 'not pristine'] },
  );
  const got = rows.find((r) => r.name === 'per-test + standby')?.median ?? NaN;
  const without = rows.find((r) => r.name === 'per-test')?.median ?? NaN;
  print(
    `goal: ${kind} standby overhead median <= ${goals[kind]} ms: ${got <= goals[kind] ? 'met' : 'NOT met'} (${got.toFixed(2)} ms; without standby ${without.toFixed(2)} ms${got >= 0.1 ? `, ${(without / got).toFixed(1)}x` : ''})`,
  );
  return rows.map((r) => ({ ...r, name: `${kind} ${work} ms ${r.name}` }));
}
