// The same Jest user project as ESM: an ESM config and ESM test files that import
// `nginx` from @rebind/jest (run Jest under node --experimental-vm-modules).
import { fileURLToPath } from 'node:url';

export default {
  rootDir: fileURLToPath(new URL('.', import.meta.url)),
  testMatch: ['<rootDir>/test/*.test.mjs'],
  transform: {},
  globalSetup: '@rebind/jest/global-setup',
  globalTeardown: '@rebind/jest/global-teardown',
  testEnvironment: '@rebind/jest/environment',
  testEnvironmentOptions: { rebind: { summary: true } },
  testTimeout: 60_000,
};
