// The same project under Jest (CommonJS test files).
module.exports = require('../jest-config.cjs')(__dirname, require('./services.cjs'), 120_000);
