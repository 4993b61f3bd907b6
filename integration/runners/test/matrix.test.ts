// Real Vitest 3/4/5 and Jest 29/30 runs (forks and threads pools, CommonJS and ESM Jest
// configs) of projects with three services: `web` per-test, `api` per-worker, `db` shared.
import { fileURLToPath } from 'node:url';
import { requireComponent } from '@rebind/test-support';
import { afterEach, describe, expect, it } from 'vitest';
import {
  leftoversAfter,
  startRunner,
  type RunOptions,
  type Runner,
  type RunningRunner,
  type Seen,
} from './harness.js';

const runs: RunningRunner[] = [];
afterEach(() => {
  for (const run of runs.splice(0)) run.cleanup();
});

function groupBy<T>(items: T[], key: (item: T) => string | number): Map<string | number, T[]> {
  const map = new Map<string | number, T[]>();
  for (const item of items) map.set(key(item), [...(map.get(key(item)) ?? []), item]);
  return map;
}

function checkPolicies(seen: Seen[]): void {
  expect(seen).toHaveLength(6);
  // per-test: every test saw an instance no other test saw
  for (const name of ['web', 'edge'].filter((n) => seen[0]?.services[n] !== undefined))
    expect(new Set(seen.map((s) => s.services[name]?.token)).size, name).toBe(seen.length);
  // shared: one instance for everyone
  expect(new Set(seen.map((s) => s.services.db?.token)).size).toBe(1);
  const bySlot = groupBy(seen, (s) => s.slot);
  expect(bySlot.size).toBeGreaterThanOrEqual(2);
  // per-worker: one instance per slot, kept across that slot's tests
  for (const group of bySlot.values())
    expect(new Set(group.map((s) => s.services.api?.token)).size).toBe(1);
  expect(new Set(seen.map((s) => s.services.api?.token)).size).toBe(bySlot.size);
  // no two workers shared a port
  for (const name of ['web', 'api', 'edge'].filter((n) => seen[0]?.services[n] !== undefined)) {
    const owner = new Map<number, number>();
    for (const s of seen) {
      const port = s.services[name]?.port as number;
      expect(owner.get(port) ?? s.slot, `${name} port ${port}`).toBe(s.slot);
      owner.set(port, s.slot);
    }
  }
}

const cases: [Runner, RunOptions][] = [
  ['vitest3', { pool: 'forks' }],
  ['vitest4', { pool: 'forks' }],
  ['vitest4', { pool: 'threads' }],
  ['vitest5', { pool: 'threads' }],
  ['jest29', { config: 'jest.config.cjs' }],
  ['jest30', { config: 'jest.config.cjs' }],
  ['jest30', { config: 'jest.config.mjs' }],
  ['jest30', { config: 'jest.esm.config.mjs' }],
];

describe('runner compatibility', () => {
  it.each(cases)(
    '%s %o: fresh per-test instances, per-worker ports, nothing left',
    async (runner, options) => {
      const run = startRunner(runner, options);
      runs.push(run);
      const { code } = await run.exited;
      expect(code, run.output()).toBe(0);
      checkPolicies(run.records());
      // No restart after a file's last test: one restart per test but each worker's first.
      const restarts = 6 - new Set(run.records().map((s) => s.slot)).size;
      expect(run.output()).toMatch(
        new RegExp(
          `rebind: 6 tests, ${restarts} restarts, median restart [\\d.]+ ms, added [\\d.]+ ms per test, leftovers: 0`,
        ),
      );
      expect(await leftoversAfter(run, 0)).toEqual([]);
    },
  );
});

describe.runIf(requireComponent('nginx'))('runner compatibility with a per-test nginx', () => {
  it.each([
    ['vitest4', { pool: 'threads' }],
    ['jest30', { config: 'jest.config.cjs' }],
  ] as [Runner, RunOptions][])('%s %o', async (runner, options) => {
    const run = startRunner(runner, { ...options, env: { REBIND_SERVICES_REAL: 'nginx' } });
    runs.push(run);
    const { code } = await run.exited;
    expect(code, run.output()).toBe(0);
    checkPolicies(run.records());
    expect(await leftoversAfter(run, 0)).toEqual([]);
  });
});

it('jest30, two projects: each runs its own services', async () => {
  const run = startRunner('jest30', { config: 'jest.projects.config.cjs' });
  runs.push(run);
  expect((await run.exited).code, run.output()).toBe(0);
  const seen = run.records();
  expect(seen).toHaveLength(12);
  expect(new Set(seen.map((s) => s.services.web?.token)).size).toBe(12);
  expect(new Set(seen.map((s) => s.services.db?.token)).size).toBe(2);
  expect(run.output().match(/rebind: 6 tests, [45] restarts/g)).toHaveLength(2);
  expect(await leftoversAfter(run, 0)).toEqual([]);
});

// Each test declares its own nginx config (Vitest fixtures, Jest's per-test helper): every
// test sees its own config from a fresh master, each worker keeps one port, a rejected
// config fails only the test that asked for it, nothing is left.
describe.runIf(requireComponent('nginx'))('per-test nginx configs', () => {
  const vitestFixtures = fileURLToPath(new URL('../projects/vitest-fixtures', import.meta.url));
  const jestFixtures = fileURLToPath(new URL('../projects/jest-fixtures', import.meta.url));
  it.each([
    ['vitest3', { project: vitestFixtures }],
    ['vitest4', { project: vitestFixtures }],
    ['vitest4', { project: vitestFixtures, pool: 'threads' }],
    ['vitest5', { project: vitestFixtures }],
    ['jest29', { project: jestFixtures }],
    ['jest30', { project: jestFixtures }],
    // ESM test files importing `nginx` from @rebind/jest, under --experimental-vm-modules
    ['jest29', { project: jestFixtures, config: 'jest.esm.config.mjs' }],
    ['jest30', { project: jestFixtures, config: 'jest.esm.config.mjs' }],
  ] as [Runner, RunOptions][])('%s %o', async (runner, options) => {
    const run = startRunner(runner, options);
    runs.push(run);
    const { code } = await run.exited;
    expect(code, run.output()).toBe(0);
    const seen = run.records();
    expect(seen.map((s) => s.test).sort()).toEqual(['a 1', 'a 3', 'b 1', 'b 3']);
    for (const s of seen) expect(s.services.nginx?.token).toMatch(new RegExp(`^${s.test} \\d+$`));
    // each test's accessLog() holds its own instance's requests: the one record() made
    for (const s of seen) expect(s.services.nginx?.requests, s.test).toEqual(['/']);
    expect(new Set(seen.map((s) => s.services.nginx?.endpointPid)).size).toBe(4);
    for (const group of groupBy(seen, (s) => s.slot).values())
      expect(new Set(group.map((s) => s.services.nginx?.port)).size).toBe(1);
    expect(run.output()).toMatch(
      /rebind: 6 tests, \d+ restarts?, median restart [\d.]+ ms, added [\d.]+ ms per test, leftovers: 0/,
    );
    // the watchdog exits once the runner's pipe closes: allow it the default 2 s
    expect(await leftoversAfter(run)).toEqual([]);
  });
});
