import { rebindVitestConfig } from '../../vitest.shared.js';

export default rebindVitestConfig({ name: 'integration-watcher', testTimeout: 60_000 });
