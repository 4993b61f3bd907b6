// The whole public surface of @rebind/jest's main entry (ESM, and CommonJS for CommonJS
// test files): the test-side helper. The runner pieces are subpaths:
// `@rebind/jest/global-setup`, `@rebind/jest/global-teardown`, `@rebind/jest/environment`.
export { ENDPOINTS_ENV, endpoint, endpoints } from './endpoint.js';
export { nginx, service } from './test-servers.js';
export type { NginxTestOptions } from './test-servers.js';
export type { TestServer } from '@rebind/runner/test-server';
export { expectErrorLog, expectNoErrorLog } from '@rebind/runner/error-log';
export type { HasErrorLog, NoErrorLogOptions } from '@rebind/runner/error-log';
export { pipelined, rawRequest, request } from '@rebind/runner/requests';
export type {
  RawResponse,
  RequestOptions,
  RequestSpec,
  Response,
  Target,
} from '@rebind/runner/requests';
export type {
  CommandServiceOptions,
  Endpoints,
  Pristine,
  RebindOptions,
  RerunPolicy,
  ServiceDeclaration,
  ServiceEndpoint,
} from '@rebind/runner';
