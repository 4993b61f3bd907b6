// The Jest suite bench/benchmarks/vitest-overhead.js runs three ways (REBIND_BENCH_MODE):
// `shared` (one nginx for the run, never restarted), `rebind` (a declared per-test nginx:
// restarted between tests by the environment) and `fixtures` (no declared service; each
// test restarts the worker's nginx with its own config through the `nginx()` helper).
const mode = process.env.REBIND_BENCH_MODE;
const snippet = 'location / { return 200 "$pid\\n"; }';
const services =
  mode === 'fixtures'
    ? {}
    : { web: { nginx: { snippet }, pristine: mode === 'shared' ? 'shared' : 'per-test' } };

module.exports = {
  rootDir: __dirname,
  testMatch: ['<rootDir>/overhead.bench-suite.cjs'],
  transform: {},
  globalSetup: '@rebind/jest/global-setup',
  globalTeardown: '@rebind/jest/global-teardown',
  testEnvironment: '@rebind/jest/environment',
  testEnvironmentOptions: { rebind: { services } },
  testTimeout: 60_000,
};
