// A user project: the one rebind line, and tests in three files run by parallel workers.
import { createRequire } from 'node:module';
import { rebind } from '@rebind/vitest';

const options = createRequire(import.meta.url)('../services.cjs');

export default {
  plugins: [rebind(options)],
  test: { include: ['test/**/*.test.js'], testTimeout: 60_000, hookTimeout: 60_000 },
};
