// The services of the user projects: the embedded Node HTTP server three ways.
// REBIND_SERVICES_FAIL=1 adds a service whose command exits at once (a throwing setup).
const { fileURLToPath } = require('node:url');
const server = require.resolve('@rebind/runner/fixtures/http-server.js');
const command = { command: process.execPath, args: [server], readyPath: '/' };
const services = {
  web: { command, pristine: 'per-test' },
  api: { command, pristine: 'per-worker' },
  db: { command, pristine: 'shared' },
};
if (process.env.REBIND_SERVICES_FAIL === '1')
  services.broken = {
    command: { command: process.execPath, args: ['-e', 'process.exit(3)'] },
    pristine: 'shared',
  };
void fileURLToPath;
module.exports = { services, summary: true };
