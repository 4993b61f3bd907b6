// The whole public surface of @rebind/vitest: explicit named exports only.
import './provided-context.js';

export { endpoint, endpoints } from './endpoint.js';
export { rebind } from './rebind.js';
export type { RebindVitestPlugin } from './rebind.js';
export type {
  CommandServiceOptions,
  Endpoints,
  Pristine,
  RebindContext,
  RebindOptions,
  RerunPolicy,
  ServiceDeclaration,
  ServiceEndpoint,
} from '@rebind/runner';

/** The environment variable rebind hands endpoints through where `inject` is unavailable. */
export const ENDPOINTS_ENV = 'REBIND_ENDPOINTS';
