// The same project under Jest: each test asks for its own container or compose project
// through `service()` (CommonJS test files).
module.exports = require('../jest-config.cjs')(__dirname, { summary: true }, 120_000);
