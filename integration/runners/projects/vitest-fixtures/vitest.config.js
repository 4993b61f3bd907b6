// A user project with no declared services: each test asks for its own nginx config
// through @rebind/vitest's fixtures, in parallel workers.
import { rebind } from '@rebind/vitest';

export default {
  plugins: [rebind({ summary: true })],
  test: { include: ['test/**/*.test.js'], testTimeout: 60_000, hookTimeout: 60_000 },
};
