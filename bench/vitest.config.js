import { rebindVitestConfig } from '../vitest.shared.js';

export default rebindVitestConfig({
  name: 'bench-smoke',
  include: ['test/**/*.test.js'],
  testTimeout: 300_000,
  fileParallelism: false,
});
