import { rebindVitestConfig } from '../../vitest.shared.js';

export default rebindVitestConfig({ name: '@rebind/runner' });
