import { rebindVitestConfig } from '../../vitest.shared.js';

export default rebindVitestConfig({
  name: 'integration-faults',
  include: ['test/**/*.test.ts'],
  testTimeout: 180_000,
  fileParallelism: false,
});
