import { rebindVitestConfig } from '../vitest.shared.js';

export default rebindVitestConfig({
  name: 'bench-smoke',
  include: ['test/**/*.test.js'],
  // vitest-overhead runs 12 real Vitest suites even at smoke counts (standby rows)
  testTimeout: 600_000,
  fileParallelism: false,
});
