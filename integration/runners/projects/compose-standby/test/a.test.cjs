const { endpoints } = require('@rebind/jest');
const { check } = require('../check.cjs');

it('a 1', () => check('a 1', endpoints().box));
it('a 2', () => check('a 2', endpoints().box));
