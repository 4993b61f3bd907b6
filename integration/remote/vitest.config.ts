import { rebindVitestConfig } from '../../vitest.shared.js';

export default rebindVitestConfig({
  name: 'integration-remote',
  include: ['test/**/*.test.ts'],
  testTimeout: 240_000,
  hookTimeout: 120_000,
  fileParallelism: false,
});
