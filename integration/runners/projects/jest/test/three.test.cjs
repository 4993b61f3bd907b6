const { endpoints } = require('@rebind/jest');
const { record } = require('../../record.cjs');

it('three 1', () => record('three 1', endpoints()));
it('three 2', () => record('three 2', endpoints()));
