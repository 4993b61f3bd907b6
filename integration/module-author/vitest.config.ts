// A module author's config: no declared services (each test asks for its own nginx), two
// workers, one summary line at the end.
import { rebind } from '@rebind/vitest';
import { mergeConfig } from 'vitest/config';
import { rebindVitestConfig } from '../../vitest.shared.js';

export default mergeConfig(
  rebindVitestConfig({ name: 'integration-module-author', include: ['test/**/*.test.ts'] }),
  { plugins: [rebind({ summary: true })], test: { maxWorkers: 2 } },
);
