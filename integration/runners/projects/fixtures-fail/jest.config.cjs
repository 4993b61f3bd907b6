// The Jest side of fixtures-fail: the same tests with the per-test helper.
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
