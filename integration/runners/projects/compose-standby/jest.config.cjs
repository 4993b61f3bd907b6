// The same project under Jest (CommonJS test files).
module.exports = {
  rootDir: __dirname,
  testMatch: ['<rootDir>/test/*.test.cjs'],
  transform: {},
  globalSetup: '@rebind/jest/global-setup',
  globalTeardown: '@rebind/jest/global-teardown',
  testEnvironment: '@rebind/jest/environment',
  testEnvironmentOptions: { rebind: require('./services.cjs') },
  testTimeout: 120_000,
};
