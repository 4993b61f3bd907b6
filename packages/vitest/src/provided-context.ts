import type { RebindContext, RebindOptions } from '@rebind/runner';

// Ships with the package: `inject('rebind')` is typed in every test that imports
// @rebind/vitest (or lists it in `compilerOptions.types`).
declare module 'vitest' {
  interface ProvidedContext {
    /** The control channel and the shared services' endpoints (set by the globalSetup). */
    rebind: RebindContext;
    /** The declared services (set by the `rebind()` plugin). */
    'rebind:options': RebindOptions;
  }
}

export const OPTIONS_KEY = 'rebind:options';
export const CONTEXT_KEY = 'rebind';
