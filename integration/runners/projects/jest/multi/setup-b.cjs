// Project b's own copy of the rebind globalSetup (Jest runs one module path once).
module.exports = require('@rebind/jest/global-setup');
