// A user project for the fault suite: which fault is staged comes from REBIND_FAULT.
import { createRequire } from 'node:module';
import { rebind } from '@rebind/vitest';

const fault = process.env.REBIND_FAULT ?? 'hang';
const web = { nginx: { snippet: 'location / { return 200 "$pid"; }' }, pristine: 'per-test' };
const server = createRequire(import.meta.url).resolve('@rebind/runner/fixtures/http-server.js');
const labels = { 'rebind.test-run': process.env.REBIND_TEST_RUN ?? 'none' };
// A per-test container (labelled with the run's tag, so the suite finds its own).
const db = { container: { image: 'rebind/nginx:test', ports: [80], labels }, pristine: 'per-test' };
const services = {
  // The engine down at start: an nginx, a command and a container service.
  'engine-down': {
    web,
    api: { command: { command: process.execPath, args: [server], readyPath: '/' } },
    db,
  },
  // The engine restarted mid-run: a container service restarted before every test.
  'engine-restart': { db },
};

const configs = {
  // A test times out holding a half-sent request: the next test's restart must not wait
  // for it (hookTimeout 3 s is under nginx's default 5 s stopTimeout).
  hang: { include: ['test/hang.test.js'], testTimeout: 1000, hookTimeout: 3000 },
  // A test SIGKILLs a worker of its nginx: the next test still gets a pristine instance.
  'worker-kill': { include: ['test/worker-kill.test.js'] },
  // Many per-test restarts across the workers (REBIND_SOAK_TESTS per file, 4 files).
  soak: { include: ['test/soak-*.test.js'] },
  'engine-down': { include: ['test/engine-down.test.js'] },
  'engine-restart': { include: ['test/engine-restart.test.js'] },
};

export default {
  plugins: [rebind({ services: services[fault] ?? { web }, summary: true })],
  test: { testTimeout: 60_000, hookTimeout: 60_000, ...configs[fault] },
};
