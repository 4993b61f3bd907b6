// The suite bench/benchmarks/vitest-overhead.js runs three ways (REBIND_BENCH_MODE):
// `rebind` (a pristine nginx per test through @rebind/vitest), `shell` (the same suite
// restarting nginx with `nginx -s stop; nginx` plus wait-on before each test) and `none`
// (one nginx, never restarted). REBIND_BENCH_STRATEGY picks rebind's nginx restart strategy
// (default 'wait'). `fixtures`: no declared service; each test restarts the worker's nginx
// with its own config (a distinct location) through @rebind/vitest/test's `nginx` fixture.
// `standby` runs one service kind (REBIND_BENCH_SERVICE: nginx, command, container) as
// REBIND_BENCH_PRISTINE ('per-test' or 'per-worker': never restarted), with a standby
// when REBIND_BENCH_STANDBY=1.
import { fileURLToPath } from 'node:url';
import { rebind } from '@rebind/vitest';

const mode = process.env.REBIND_BENCH_MODE;
const snippet = 'location / { return 200 "$pid\\n"; }';
const server = fileURLToPath(
  new URL('../../../packages/runner/fixtures/http-server.js', import.meta.url),
);
const standby = process.env.REBIND_BENCH_STANDBY === '1';
const kinds = {
  nginx: { nginx: { snippet, restartStrategy: 'fresh-port' } },
  command: { command: { command: process.execPath, args: [server] } },
  container: {
    container: {
      image: 'rebind/busybox:test',
      command: ['sh', '-c', 'cat /etc/hostname > /www/index.html && exec httpd -f -p 80 -h /www'],
      ports: [80],
      labels: { 'rebind.bench': String(process.ppid) },
    },
  },
};
const standbyService = () => ({
  ...kinds[process.env.REBIND_BENCH_SERVICE ?? 'nginx'],
  pristine: process.env.REBIND_BENCH_PRISTINE ?? 'per-test',
  standby,
});

export default {
  plugins:
    mode === 'fixtures'
      ? [rebind()]
      : mode === 'standby'
        ? [rebind({ services: { web: standbyService() } })]
        : mode === 'rebind'
          ? [
              rebind({
                services: {
                  web: {
                    nginx: {
                      snippet,
                      restartStrategy: process.env.REBIND_BENCH_STRATEGY ?? 'wait',
                    },
                  },
                },
              }),
            ]
          : [],
  test: {
    include: ['overhead.bench-suite.js'],
    globalSetup: ['rebind', 'fixtures', 'standby'].includes(mode) ? [] : ['./shell-nginx.js'],
    setupFiles: mode === 'shell' ? ['./shell-restart.js'] : [],
    maxWorkers: 1,
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
};
