// The Jest side of fixtures-fail: the same tests with the per-test helper.
module.exports = require('../jest-config.cjs')(__dirname, { summary: true });
