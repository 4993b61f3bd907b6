const { endpoints } = require('@rebind/jest');
const { check } = require('../check.cjs');

it('b 1', () => check('b 1', endpoints().box));
it('b 2', () => check('b 2', endpoints().box));
