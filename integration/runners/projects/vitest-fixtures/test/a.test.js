import { createRequire } from 'node:module';
import { isRebindError } from '@rebind/core';
import { test } from '@rebind/vitest/test';
import { expect } from 'vitest';

const { record } = createRequire(import.meta.url)('../../record.cjs');
const own = (name) => `location / { return 200 "${name} $pid"; }`;

test('a 1', async ({ nginx }) => record('a 1', { nginx: await nginx({ snippet: own('a 1') }) }));
test('a 2: a config nginx rejects fails this test only', async ({ nginx }) => {
  const error = await nginx({ snippet: 'location / {\n  retrun 200;\n}' }).catch((e) => e);
  expect(isRebindError(error, 'REBIND_CONFIG_INVALID')).toBe(true);
  expect(error.message).toMatch(/in <snippet>:2 \(rendered copy: \S+, `retrun 200;`\)/);
});
test('a 3', async ({ nginx }) => record('a 3', { nginx: await nginx({ snippet: own('a 3') }) }));
