// A user project on Vitest 4.1 or 5 that builds its own fixtures on rebind's with the
// builder form: `test.extend(name, fn)`, `test.override(name, value)`.
import { rebind } from '@rebind/vitest';

export default {
  plugins: [rebind({ summary: true })],
  test: { include: ['test/**/*.test.js'], testTimeout: 60_000, hookTimeout: 60_000 },
};
