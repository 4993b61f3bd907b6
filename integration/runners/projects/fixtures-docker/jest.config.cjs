// The same project under Jest: each test asks for its own container or compose project
// through `service()` (CommonJS test files).
module.exports = {
  rootDir: __dirname,
  testMatch: ['<rootDir>/test/*.test.cjs'],
  transform: {},
  globalSetup: '@rebind/jest/global-setup',
  globalTeardown: '@rebind/jest/global-teardown',
  testEnvironment: '@rebind/jest/environment',
  testEnvironmentOptions: { rebind: { summary: true } },
  testTimeout: 120_000,
};
