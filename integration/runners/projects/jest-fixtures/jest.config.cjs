// A Jest user project with no declared services: each test asks for its own nginx config
// with the per-test helper, in parallel workers.
module.exports = {
  rootDir: __dirname,
  testMatch: ['<rootDir>/test/*.test.cjs'],
  transform: {},
  globalSetup: '@rebind/jest/global-setup',
  globalTeardown: '@rebind/jest/global-teardown',
  testEnvironment: '@rebind/jest/environment',
  testEnvironmentOptions: { rebind: { summary: true } },
  testTimeout: 60_000,
};
