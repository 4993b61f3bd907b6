const { nginx } = require('@rebind/jest');
const { record } = require('../../record.cjs');
const own = (name) => `location / { return 200 "${name} $pid"; }`;

it('d 1', async () => record('d 1', { nginx: await nginx({ snippet: own('d 1') }) }));
it('d 2', async () => record('d 2', { nginx: await nginx({ snippet: own('d 2') }) }));
