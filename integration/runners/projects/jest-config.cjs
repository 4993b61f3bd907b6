// The Jest config of the internal test projects (the user projects jest/ and
// jest-fixtures/ keep theirs written out, as a user writes it): CommonJS test files under
// test/, rebind's environment with `rebind` as its options.
module.exports = (rootDir, rebind, testTimeout = 60_000) => ({
  rootDir,
  testMatch: ['<rootDir>/test/*.test.cjs'],
  transform: {},
  globalSetup: '@rebind/jest/global-setup',
  globalTeardown: '@rebind/jest/global-teardown',
  testEnvironment: '@rebind/jest/environment',
  testEnvironmentOptions: { rebind },
  testTimeout,
});
