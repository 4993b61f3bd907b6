// A user project where one test asks for a config nginx rejects and does not catch the
// error: that test fails, the others pass (the next one on the same worker with a fresh master).
import { rebind } from '@rebind/vitest';

export default {
  plugins: [rebind({ summary: true })],
  test: { include: ['test/**/*.test.js'], testTimeout: 60_000, hookTimeout: 60_000 },
};
