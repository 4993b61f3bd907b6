import { createRequire } from 'node:module';
import { endpoints } from '@rebind/vitest';
import { it } from 'vitest';

const { record } = createRequire(import.meta.url)('../../../../runners/projects/record.cjs');

it('SIGKILLs the nginx worker that answered it', async () => {
  const seen = await record('kill', endpoints());
  // nginx answers its worker's pid ($pid)
  process.kill(Number(seen.services.web.token), 'SIGKILL');
});

it('the next test', () => record('next', endpoints()));
