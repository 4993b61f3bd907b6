import { createRequire } from 'node:module';
import { isRebindError } from '@rebind/core';
import { test } from '@rebind/vitest/test';
import { expect } from 'vitest';

const { record } = createRequire(import.meta.url)('../../record.cjs');
const own = (name) => `location / { return 200 "${name} $pid"; }`;

test('b 1', async ({ nginx }) => record('b 1', { nginx: await nginx({ snippet: own('b 1') }) }));
test('b 2: a config nginx rejects fails this test only', async ({ nginx }) => {
  const error = await nginx({ snippet: 'location / {\n  retrun 200;\n}' }).catch((e) => e);
  expect(isRebindError(error, 'REBIND_CONFIG_INVALID')).toBe(true);
  expect(error.message).toMatch(/in <snippet>:2 \(rendered copy: \S+, `retrun 200;`\)/);
});
test('b 3', async ({ nginx }) => record('b 3', { nginx: await nginx({ snippet: own('b 3') }) }));
