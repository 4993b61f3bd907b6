const { nginx } = require('@rebind/jest');
const { record } = require('../../record.cjs');

const own = (name) => `location / { return 200 "${name} $pid"; }`;

it('a 1', async () => record('a 1', { nginx: await nginx({ snippet: own('a 1') }) }));
it('a 2: a config nginx rejects fails this test only', async () => {
  const error = await nginx({ snippet: 'location / {\n  retrun 200;\n}' }).catch((e) => e);
  expect(error.code).toBe('REBIND_CONFIG_INVALID');
  expect(error.message).toMatch(/in <snippet>:2 \(rendered copy: \S+, `retrun 200;`\)/);
});
it('a 3', async () => record('a 3', { nginx: await nginx({ snippet: own('a 3') }) }));
