import { fileURLToPath } from 'node:url';
import type { RebindOptions } from '@rebind/runner';
import { OPTIONS_KEY } from './provided-context.js';

/** The part of a Vite plugin this adapter uses (kept structural: Vitest 3, 4 and 5). */
export interface RebindVitestPlugin {
  readonly name: 'rebind';
  config(): Promise<{
    test: {
      globalSetup: string[];
      setupFiles: string[];
      provide: Record<string, unknown>;
    };
  }>;
}

/**
 * The one line in `vitest.config.ts`: `plugins: [rebind({ services: { web: { nginx: {...} } } })]`,
 * or `plugins: [rebind()]` when tests ask for their own servers (`@rebind/vitest/test`).
 * Adds rebind's globalSetup (starts the services, provides their endpoints, removes
 * leftovers of crashed runs, tears down) and a setup file (hands each test its endpoints,
 * restarting per-test services before each test). Options are validated when Vitest
 * resolves the config, once, before any test runs.
 */
export function rebind(options: RebindOptions = {}): RebindVitestPlugin {
  const at = (file: string) => fileURLToPath(new URL(file, import.meta.url));
  return {
    name: 'rebind',
    // Loaded here, not at import: test files import this module for `endpoint()`, and
    // the host's code (all of @rebind/core) has no business in every test worker.
    async config() {
      // Every declaration, with each manager's own validator, before anything starts.
      const { validateServices } = await import('@rebind/runner');
      await validateServices(options);
      return {
        test: {
          globalSetup: [at('./global-setup.js')],
          setupFiles: [at('./setup.js')],
          provide: { [OPTIONS_KEY]: options },
        },
      };
    },
  };
}
