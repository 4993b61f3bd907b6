// Jest's per-test servers: `await nginx({ snippet })` in a test (or a beforeEach hook)
// restarts the worker slot's own nginx with that configuration and resolves to its handle.
// The rebind environment tells this module which test is running; the global setup's
// service host runs the servers. Built as CommonJS too (it imports only the runner's
// worker-side modules, which are).
import { remoteError } from '@rebind/runner/client';
import { startTestServer, type ServiceKind, type TestServer } from '@rebind/runner/test-server';

/** What the environment keeps on the test context's global. */
export interface JestTestState {
  readonly control: string;
  /** The control channel's unix socket, when the main process has one. */
  readonly socket?: string;
  readonly slot: number;
  /** Increments at each test's start. */
  test: number;
  /** A test is running (between `test_start` and `test_done`). */
  running: boolean;
}

export const STATE_KEY = Symbol.for('rebind.jest.test-state');

/** A test's nginx: `startNginx()`'s configuration options (not its port: the slot's). */
export interface NginxTestOptions {
  readonly config?: string;
  readonly snippet?: string;
  readonly httpConfig?: string;
  readonly mainConfig?: string;
  readonly userFiles?: Readonly<Record<string, string>>;
  readonly binary?: string;
  readonly host?: string;
  readonly readyTimeout?: number;
  readonly stopTimeout?: number;
}

function state(holder: string): JestTestState {
  const found = (globalThis as { [STATE_KEY]?: JestTestState })[STATE_KEY];
  if (found === undefined)
    throw remoteError(
      `${holder} needs rebind's Jest environment: set \`testEnvironment: '@rebind/jest/environment'\`, \`globalSetup: '@rebind/jest/global-setup'\` and \`globalTeardown: '@rebind/jest/global-teardown'\` in the Jest config.`,
      'REBIND_INVALID_OPTION',
    );
  return found;
}

function contextFor(
  holder: string,
  prepare?: (o: Readonly<Record<string, unknown>>) => Readonly<Record<string, unknown>>,
) {
  const current = state(holder);
  const test = current.test;
  return {
    control: current.control,
    socket: current.socket,
    slot: current.slot,
    holder,
    active: () => current.running && current.test === test,
    ...(prepare === undefined ? {} : { prepare }),
  };
}

/**
 * Restarts this worker's nginx with the test's configuration (starts it the first time),
 * on the same port and prefix; resolves to its handle. Call it in a test or beforeEach.
 */
export function nginx(options: NginxTestOptions): Promise<TestServer> {
  return startTestServer(
    contextFor('`nginx()`'),
    'nginx',
    options as Readonly<Record<string, unknown>>,
  );
}

/** The same for any kind: `service({ command: {...} })` (nginx restarts in place; others are replaced). */
export async function service(
  request: Readonly<Partial<Record<ServiceKind, Readonly<Record<string, unknown>>>>>,
): Promise<TestServer> {
  const kinds = Object.keys(request) as ServiceKind[];
  if (kinds.length !== 1)
    throw remoteError(
      `Expected the \`service()\` argument to be an object with exactly one of \`nginx\`, \`container\`, \`compose\`, \`command\`, got \`${JSON.stringify(request)}\`.`,
      'REBIND_INVALID_OPTION',
    );
  const kind = kinds[0] as ServiceKind;
  return startTestServer(contextFor('`service()`'), kind, request[kind] ?? {});
}
