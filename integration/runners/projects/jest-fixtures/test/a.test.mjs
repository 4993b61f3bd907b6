/* global it, expect */
import { createRequire } from 'node:module';
import { isRebindError } from '@rebind/core';
import { expectNoErrorLog, nginx } from '@rebind/jest';

const { record } = createRequire(import.meta.url)('../../record.cjs');
const own = (name) => `location / { return 200 "${name} $pid"; }`;

it('a 1', async () => record('a 1', { nginx: await nginx({ snippet: own('a 1') }) }));
it('a 2: a config nginx rejects fails this test only', async () => {
  const error = await nginx({ snippet: 'location / {\n  retrun 200;\n}' }).catch((e) => e);
  expect(isRebindError(error, 'REBIND_CONFIG_INVALID')).toBe(true);
  expect(error.message).toMatch(/in <snippet>:2 \(rendered copy: \S+, `retrun 200;`\)/);
});
it('a 3', async () => {
  const web = await nginx({ snippet: own('a 3') });
  await expectNoErrorLog(web);
  return record('a 3', { nginx: web });
});
