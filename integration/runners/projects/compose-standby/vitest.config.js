// A user project with a declared compose service that is fresh for every test and keeps
// a standby (real Docker engine, the offline busybox image).
import { createRequire } from 'node:module';
import { rebind } from '@rebind/vitest';

const options = createRequire(import.meta.url)('./services.cjs');

export default {
  plugins: [rebind(options)],
  test: { include: ['test/**/*.test.js'], testTimeout: 120_000, hookTimeout: 120_000 },
};
