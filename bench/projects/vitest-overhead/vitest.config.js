// The suite bench/benchmarks/vitest-overhead.js runs three ways (REBIND_BENCH_MODE):
// `rebind` (a pristine nginx per test through @rebind/vitest), `shell` (the same suite
// restarting nginx with `nginx -s stop; nginx` plus wait-on before each test) and `none`
// (one nginx, never restarted). REBIND_BENCH_STRATEGY picks rebind's nginx restart strategy
// (default 'wait'). `fixtures`: no declared service; each test restarts the worker's nginx
// with its own config (a distinct location) through @rebind/vitest/test's `nginx` fixture.
import { rebind } from '@rebind/vitest';

const mode = process.env.REBIND_BENCH_MODE;
const snippet = 'location / { return 200 "$pid\\n"; }';

export default {
  plugins:
    mode === 'fixtures'
      ? [rebind()]
      : mode === 'rebind'
        ? [
            rebind({
              services: {
                web: {
                  nginx: { snippet, restartStrategy: process.env.REBIND_BENCH_STRATEGY ?? 'wait' },
                },
              },
            }),
          ]
        : [],
  test: {
    include: ['overhead.bench-suite.js'],
    globalSetup: mode === 'rebind' || mode === 'fixtures' ? [] : ['./shell-nginx.js'],
    setupFiles: mode === 'shell' ? ['./shell-restart.js'] : [],
    maxWorkers: 1,
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
};
