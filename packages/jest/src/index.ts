// The whole public surface of @rebind/jest's main entry (ESM, and CommonJS for CommonJS
// test files): the test-side helper. The runner pieces are subpaths:
// `@rebind/jest/global-setup`, `@rebind/jest/global-teardown`, `@rebind/jest/environment`.
export { ENDPOINTS_ENV, endpoint, endpoints } from './endpoint.js';
export type {
  CommandServiceOptions,
  Endpoints,
  Pristine,
  RebindOptions,
  RerunPolicy,
  ServiceDeclaration,
  ServiceEndpoint,
} from '@rebind/runner';
