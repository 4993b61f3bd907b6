const { endpoints } = require('@rebind/jest');
const { record } = require('../../record.cjs');

it('one 1', () => record('one 1', endpoints()));
it('one 2', () => record('one 2', endpoints()));
