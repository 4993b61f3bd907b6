// A user project whose tests each declare their own container or compose service through
// the `service` fixture (real Docker engine, the offline test images); jest.config.cjs runs
// the same tests through Jest's `service()`.
import { rebind } from '@rebind/vitest';

export default {
  plugins: [rebind({ summary: true })],
  test: { include: ['test/**/*.test.js'], testTimeout: 120_000, hookTimeout: 120_000 },
};
