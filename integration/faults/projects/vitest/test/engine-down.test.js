// DOCKER_HOST names a socket where no engine answers: the container service's test fails
// with REBIND_DOCKER_UNAVAILABLE, the nginx and command services' tests run.
import { appendFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { endpoint } from '@rebind/vitest';
import { it } from 'vitest';

const { record } = createRequire(import.meta.url)('../../../../runners/projects/record.cjs');

it('nginx', () => record('nginx', { web: endpoint('web') }));

it('command', () => record('command', { api: endpoint('api') }));

it('container', async () => {
  let db;
  try {
    db = endpoint('db');
  } catch (error) {
    // when the error reached the test (the fault benchmark times it)
    const failed = { test: 'container', at: Date.now(), error: { code: error.code }, services: {} };
    appendFileSync(process.env.REBIND_RECORD, `${JSON.stringify(failed)}\n`);
    throw error;
  }
  await record('container', { db });
});
