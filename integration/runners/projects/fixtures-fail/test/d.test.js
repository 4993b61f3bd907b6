import { createRequire } from 'node:module';
import { test } from '@rebind/vitest/test';

const { record } = createRequire(import.meta.url)('../../record.cjs');
const own = (name) => `location / { return 200 "${name} $pid"; }`;

test('d 1', async ({ nginx }) => record('d 1', { nginx: await nginx({ snippet: own('d 1') }) }));
test('d 2', async ({ nginx }) => record('d 2', { nginx: await nginx({ snippet: own('d 2') }) }));
