// DOCKER_HOST names a socket where no engine answers: the container service's test fails
// with REBIND_DOCKER_UNAVAILABLE, the nginx and command services' tests run.
import { createRequire } from 'node:module';
import { endpoint } from '@rebind/vitest';
import { it } from 'vitest';

const { record } = createRequire(import.meta.url)('../../../../runners/projects/record.cjs');

it('nginx', () => record('nginx', { web: endpoint('web') }));

it('command', () => record('command', { api: endpoint('api') }));

it('container', () => record('container', { db: endpoint('db') }));
