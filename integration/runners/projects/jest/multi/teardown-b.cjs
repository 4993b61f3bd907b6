module.exports = require('@rebind/jest/global-teardown');
