import { rebindVitestConfig } from '../../vitest.shared.js';

// One file at a time: each installs a fresh project with npm.
export default rebindVitestConfig({
  name: 'integration-consumer',
  include: ['test/**/*.test.ts'],
  testTimeout: 240_000,
  hookTimeout: 300_000,
  fileParallelism: false,
});
