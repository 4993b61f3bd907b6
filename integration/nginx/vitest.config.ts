import { rebindVitestConfig } from '../../vitest.shared.js';

export default rebindVitestConfig({ name: 'integration-nginx', testTimeout: 120_000 });
