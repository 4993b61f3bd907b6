// `@rebind/vitest/test`: Vitest's `test` extended with rebind's fixtures, and the helpers
// module tests use with them. (A subpath of its own: vitest.config imports the main entry,
// and this one imports Vitest's runtime.)
import { test as base, type TestAPI } from 'vitest';
import { rebindFixtures, type RebindTestFixtures, type RebindWorkerFixtures } from './fixtures.js';

/**
 * Vitest's `test` with the `nginx`, `service` and `nginxDefaults` fixtures:
 * `test('echo', async ({ nginx }) => { const web = await nginx({ snippet }); ... })`.
 */
export const test = base.extend(rebindFixtures as never) as unknown as TestAPI<
  RebindTestFixtures & RebindWorkerFixtures
>;
export const it = test;

export { rebindFixtures } from './fixtures.js';
export type {
  NginxFixtureOptions,
  RebindTestFixtures,
  RebindWorker,
  RebindWorkerFixtures,
  ServiceRequest,
} from './fixtures.js';
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
