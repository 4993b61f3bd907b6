// A user project for the fault suite: which fault is staged comes from REBIND_FAULT.
import { rebind } from '@rebind/vitest';

const fault = process.env.REBIND_FAULT ?? 'hang';
const web = { nginx: { snippet: 'location / { return 200 "$pid"; }' }, pristine: 'per-test' };

const configs = {
  // A test times out holding a half-sent request: the next test's restart must not wait
  // for it (hookTimeout 3 s is under nginx's default 5 s stopTimeout).
  hang: { include: ['test/hang.test.js'], testTimeout: 1000, hookTimeout: 3000 },
  // A test SIGKILLs a worker of its nginx: the next test still gets a pristine instance.
  'worker-kill': { include: ['test/worker-kill.test.js'] },
  // Many per-test restarts across the workers (REBIND_SOAK_TESTS per file, 4 files).
  soak: { include: ['test/soak-*.test.js'] },
};

export default {
  plugins: [rebind({ services: { web }, summary: true })],
  test: { testTimeout: 60_000, hookTimeout: 60_000, ...configs[fault] },
};
