// The one Vitest configuration every workspace extends: a timeout on every suite, a JSON
// report per workspace for the closing summary line, and a setup that fails a test on
// any process warning (leaked listeners, deprecations).
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const root = fileURLToPath(new URL('.', import.meta.url));

/**
 * @param {{ name: string, testTimeout?: number, hookTimeout?: number, include?: string[], fileParallelism?: boolean, pool?: 'forks' | 'threads' }} options
 */
export function rebindVitestConfig({
  name,
  testTimeout = 30_000,
  hookTimeout = 30_000,
  include = ['src/**/*.test.ts', 'test/**/*.test.ts'],
  fileParallelism = true,
  pool = 'forks',
}) {
  return defineConfig({
    test: {
      name,
      include,
      testTimeout,
      hookTimeout,
      fileParallelism,
      pool,
      setupFiles: [`${root}scripts/vitest-fail-on-warning.js`],
      reporters: [
        'default',
        [
          'json',
          { outputFile: `${root}.reports/${name.replace(/^@/, '').replace(/[^\w.-]/g, '-')}.json` },
        ],
      ],
    },
  });
}
