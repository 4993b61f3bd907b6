const { service } = require('@rebind/jest');
const { box, record, running } = require('./docker.cjs');

for (const name of ['container 1', 'container 2'])
  it(name, async () => {
    const seen = await record(name, { box: await service({ container: box(name) }) });
    // its own container: the previous test's is gone
    expect(running('container')).toHaveLength(1);
    return seen;
  });
