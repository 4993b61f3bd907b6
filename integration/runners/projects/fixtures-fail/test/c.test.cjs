const { nginx } = require('@rebind/jest');
const { record } = require('../../record.cjs');
const own = (name) => `location / { return 200 "${name} $pid"; }`;

it('c 1', async () => record('c 1', { nginx: await nginx({ snippet: own('c 1') }) }));
// not caught: the run must report this test, and only this one, as failed
it('c 2', async () => {
  await nginx({ snippet: 'location / {\n  retrun 200;\n}' });
});
it('c 3', async () => record('c 3', { nginx: await nginx({ snippet: own('c 3') }) }));
