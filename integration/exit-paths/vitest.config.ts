import { rebindVitestConfig } from '../../vitest.shared.js';

export default rebindVitestConfig({
  name: 'integration-exit-paths',
  include: ['test/**/*.test.ts'],
  testTimeout: 120_000,
  fileParallelism: false,
});
