// A user project that sets `nginxDefaults` per describe block with the override form the
// running Vitest has: `test.override` (Vitest 4.1, 5) or `test.scoped` (Vitest 3).
import { rebind } from '@rebind/vitest';

export default {
  plugins: [rebind({ summary: true })],
  test: { include: ['test/**/*.test.js'], testTimeout: 60_000, hookTimeout: 60_000 },
};
