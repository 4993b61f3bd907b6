import { rebindVitestConfig } from '../../vitest.shared.js';

// dockerd serialises container starts: files run one at a time.
export default rebindVitestConfig({
  name: 'integration-docker',
  testTimeout: 60_000,
  hookTimeout: 60_000,
  fileParallelism: false,
});
