// Two Jest projects, each with its own services (its own globalSetup file re-exporting
// rebind's: Jest runs a given globalSetup module only once).
const base = require('./jest.config.cjs');

const project = (name) => ({
  ...base,
  displayName: name,
  globalSetup: `<rootDir>/multi/setup-${name}.cjs`,
  globalTeardown: `<rootDir>/multi/teardown-${name}.cjs`,
});

module.exports = { projects: [project('a'), project('b')] };
