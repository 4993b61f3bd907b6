import { createRequire } from 'node:module';
import { test } from '@rebind/vitest/test';

const { record } = createRequire(import.meta.url)('../../record.cjs');
const own = (name) => `location / { return 200 "${name} $pid"; }`;

test('c 1', async ({ nginx }) => record('c 1', { nginx: await nginx({ snippet: own('c 1') }) }));
// not caught: the run must report this test, and only this one, as failed
test('c 2', async ({ nginx }) => {
  await nginx({ snippet: 'location / {\n  retrun 200;\n}' });
});
test('c 3', async ({ nginx }) => record('c 3', { nginx: await nginx({ snippet: own('c 3') }) }));
