// A user project run by each "host": one container service, restarted for every test,
// on whatever engine DOCKER_HOST names. 'auto' asks rebind for the host port: on a
// remote engine the engine picks it.
import { rebind } from '@rebind/vitest';

const store = {
  container: {
    image: 'rebind/nginx:test',
    ports: [{ container: 80, host: 'auto' }],
    labels: {
      'rebind.test-run': process.env.REBIND_TEST_RUN ?? 'none',
      'rebind.test-host': process.env.REBIND_TEST_HOST ?? 'none',
    },
  },
  pristine: 'per-test',
};

export default {
  plugins: [rebind({ services: { store }, summary: true })],
  test: { include: ['test/**/*.test.js'], testTimeout: 60_000, hookTimeout: 60_000 },
};
