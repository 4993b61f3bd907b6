const { service } = require('@rebind/jest');
const { composeProject, record, running } = require('./docker.cjs');

for (const name of ['compose 1', 'compose 2'])
  it(name, async () => {
    const seen = await record(name, { box: await service({ compose: composeProject(name) }) });
    expect(running('compose')).toHaveLength(1);
    return seen;
  });
