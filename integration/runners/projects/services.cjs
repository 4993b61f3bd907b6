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
// REBIND_SERVICES_KEEP=1 adds a shared service kept across watch-mode reruns.
if (process.env.REBIND_SERVICES_KEEP === '1')
  services.cache = { command, pristine: 'shared', rerun: 'keep' };
// REBIND_SERVICES_REAL=nginx,docker adds a per-test nginx and a shared container.
const real = (process.env.REBIND_SERVICES_REAL ?? '').split(',');
if (real.includes('nginx'))
  services.edge = { nginx: { snippet: 'location / { return 200 "$pid"; }' }, pristine: 'per-test' };
if (real.includes('docker'))
  services.store = {
    container: {
      image: 'rebind/nginx:test',
      ports: [80],
      labels: { 'rebind.test-run': process.env.REBIND_TEST_RUN ?? 'none' },
    },
    pristine: 'shared',
  };
// REBIND_STANDBY=1: the per-test services keep a standby (the command without readyPath:
// its readiness is the port in LISTEN, so no request reaches a standby before the swap),
// and with docker a per-test container with a standby (`box`, serving its hostname).
if (process.env.REBIND_STANDBY === '1') {
  services.web = { command: { command: process.execPath, args: [server] }, standby: true };
  if (services.edge !== undefined)
    services.edge = {
      nginx: { ...services.edge.nginx, restartStrategy: 'fresh-port' },
      standby: true,
    };
  if (real.includes('docker'))
    services.box = {
      container: {
        image: 'rebind/busybox:test',
        command: ['sh', '-c', 'cat /etc/hostname > /www/index.html && exec httpd -f -p 80 -h /www'],
        ports: [80],
        labels: { 'rebind.test-run': process.env.REBIND_TEST_RUN ?? 'none' },
      },
      standby: true,
    };
}
// REBIND_SERVICES_TYPO=nginx adds an nginx declaration with a misspelt startNginx option;
// =declaration, a declaration with a misspelt key of its own. Neither may start anything.
if (process.env.REBIND_SERVICES_TYPO === 'nginx')
  services.typo = { nginx: { snippet: 'return 200;', restartStrategi: 'reload' } };
if (process.env.REBIND_SERVICES_TYPO === 'declaration')
  services.typo = { command, pristene: 'shared' };
void fileURLToPath;
module.exports = { services, summary: true };
