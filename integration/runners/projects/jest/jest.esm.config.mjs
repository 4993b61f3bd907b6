// The same user project with an ESM Jest config and ESM test files (run Jest under
// node --experimental-vm-modules).
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

export default {
  rootDir: fileURLToPath(new URL('.', import.meta.url)),
  testMatch: ['<rootDir>/test/*.test.mjs'],
  transform: {},
  globalSetup: '@rebind/jest/global-setup',
  globalTeardown: '@rebind/jest/global-teardown',
  testEnvironment: '@rebind/jest/environment',
  testEnvironmentOptions: { rebind: createRequire(import.meta.url)('../services.cjs') },
  testTimeout: 60_000,
};
