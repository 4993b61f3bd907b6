import { fileURLToPath } from 'node:url';
import { resolveServices, type RebindOptions } from '@rebind/runner';
import { OPTIONS_KEY } from './provided-context.js';

/** The part of a Vite plugin this adapter uses (kept structural: Vitest 3, 4 and 5). */
export interface RebindVitestPlugin {
  readonly name: 'rebind';
  config(): {
    test: {
      globalSetup: string[];
      setupFiles: string[];
      provide: Record<string, unknown>;
    };
  };
}

/**
 * The one line in `vitest.config.ts`: `plugins: [rebind({ services: { web: { nginx: {...} } } })]`.
 * Adds rebind's globalSetup (starts the services, provides their endpoints, removes
 * leftovers of crashed runs, tears down) and a setup file (hands each test its endpoints,
 * restarting per-test services before each test). Options are validated here, once.
 */
export function rebind(options: RebindOptions): RebindVitestPlugin {
  resolveServices(options);
  const at = (file: string) => fileURLToPath(new URL(file, import.meta.url));
  return {
    name: 'rebind',
    config: () => ({
      test: {
        globalSetup: [at('./global-setup.js')],
        setupFiles: [at('./setup.js')],
        provide: { [OPTIONS_KEY]: options },
      },
    }),
  };
}
