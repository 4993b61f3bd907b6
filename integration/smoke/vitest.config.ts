import { rebindVitestConfig } from '../../vitest.shared.js';

export default rebindVitestConfig({ name: 'integration-smoke', testTimeout: 60_000 });
