const { endpoints } = require('@rebind/jest');
const { record } = require('../../record.cjs');

it('two 1', () => record('two 1', endpoints()));
it('two 2', () => record('two 2', endpoints()));
