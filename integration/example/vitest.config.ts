// The restart-heavy example: every test gets a pristine server. nginx when it is installed,
// otherwise rebind's embedded Node HTTP server, run the same way (a supervised command).
import { fileURLToPath } from 'node:url';
import { findNginx } from '@rebind/nginx';
import { rebind, type ServiceDeclaration } from '@rebind/vitest';
import { defineConfig } from 'vitest/config';

// REBIND_EXAMPLE_SERVER=node forces the embedded server even where nginx is installed.
const nginx =
  process.env.REBIND_EXAMPLE_SERVER !== 'node' &&
  (await findNginx().then(
    () => true,
    () => false,
  ));
const web: ServiceDeclaration = nginx
  ? { nginx: { snippet: 'location / { return 200 "nginx $pid\\n"; }' } }
  : {
      command: {
        command: process.execPath,
        args: [fileURLToPath(import.meta.resolve('@rebind/runner/fixtures/http-server.js'))],
        readyPath: '/',
      },
    };

export default defineConfig({
  plugins: [rebind({ summary: true, services: { web: { ...web, pristine: 'per-test' } } })],
  test: {
    name: 'example-restart-heavy',
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
