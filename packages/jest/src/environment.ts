// The Jest test environment: jest-environment-node plus this worker's endpoints in
// `process.env.REBIND_ENDPOINTS`, refreshed at `test_start` (restarting per-test services
// the worker already used).
import { createRequire } from 'node:module';
import { createLogger } from '@rebind/core';
import {
  askControl,
  callControl,
  currentSlot,
  TestStarts,
  type ControlReply,
  type RebindContext,
} from '@rebind/runner/client';
import type { TestEnvironment as NodeEnvironmentClass } from 'jest-environment-node';
import { contextFromEnv, projectKey } from './context.js';
import { ENDPOINTS_ENV, FAILED_ENV } from './endpoint.js';
import { STATE_KEY, type JestTestState } from './test-servers.js';
import { isLastTest, type CircusState } from './last-test.js';

type Base = typeof NodeEnvironmentClass;

// Extend the jest-environment-node of the Jest that is running (Jest 29 or 30), found
// from its main module; fall back to the cwd's, then to our own.
function loadNodeEnvironment(): Base {
  const own = createRequire(import.meta.url);
  const bases = [own.main?.filename, `${process.cwd()}/package.json`, import.meta.url];
  for (const base of bases) {
    if (base === undefined) continue;
    try {
      const require = createRequire(base);
      const mod = require('jest-environment-node') as { TestEnvironment: Base };
      createLogger('jest', process.pid)(
        'extending %s',
        require.resolve('jest-environment-node/package.json'),
      );
      return mod.TestEnvironment;
    } catch {
      // try the next
    }
  }
  return (own('jest-environment-node') as { TestEnvironment: Base }).TestEnvironment;
}

const NodeEnvironment = loadNodeEnvironment();

export default class RebindEnvironment extends NodeEnvironment {
  #context: RebindContext | undefined;
  #starts: TestStarts | undefined;
  #state: JestTestState | undefined;
  #tests = 0;
  readonly #slot = currentSlot();
  readonly #projectConfig: { readonly id?: string; readonly rootDir?: string };

  constructor(...args: ConstructorParameters<Base>) {
    super(...args);
    this.#projectConfig = args[0].projectConfig;
  }

  #publish(reply: ControlReply): void {
    const env = this.global.process.env as Record<string, string>;
    env[ENDPOINTS_ENV] = JSON.stringify(reply.endpoints);
    env[FAILED_ENV] = JSON.stringify(reply.failed);
  }

  override async setup(): Promise<void> {
    await super.setup();
    this.#context = contextFromEnv(projectKey(this.#projectConfig));
    this.#publish(await callControl(this.#context, 'acquire', this.#slot));
    // Every per-test service swaps in a standby: the next test's endpoints are fetched while a test runs.
    this.#starts = new TestStarts(this.#context, this.#slot, this.#context.testEnd === false);
    // For the per-test helpers (`nginx()`, `service()`): the channel, and which test runs.
    const { control, socket } = this.#context;
    this.#state = { control, socket, slot: this.#slot, test: 0, running: false };
    (this.global as unknown as Record<symbol, unknown>)[STATE_KEY] = this.#state;
  }

  override async teardown(): Promise<void> {
    const context = this.#context;
    // Without per-test services no test-start call counted this file's tests.
    if (context && this.#tests > 0 && !Object.values(context.policies).includes('per-test'))
      await askControl(context, 'tests', this.#slot, undefined, `&count=${this.#tests}`);
    await super.teardown();
  }

  // Jest awaits this for every event. `test_start` precedes the test's beforeEach hooks:
  // the per-test instances are pristine then. `test_done` follows its afterEach hooks:
  // their restart begins at once and overlaps Jest's work between tests.
  // After the file's last test no restart: the next file's first test restarts instead.
  async handleTestEvent(
    event: { name: string; test?: unknown },
    state?: CircusState,
  ): Promise<void> {
    const context = this.#context;
    if (context === undefined || (event.name !== 'test_start' && event.name !== 'test_done'))
      return;
    if (this.#state !== undefined) {
      if (event.name === 'test_start') this.#state.test += 1;
      this.#state.running = event.name === 'test_start';
    }
    if (event.name === 'test_start') this.#tests += 1;
    if (!Object.values(context.policies).includes('per-test')) return;
    if (event.name === 'test_start' && this.#starts !== undefined)
      this.#publish(await this.#starts.start(!isLastTest(event.test, state)));
    // Nothing to do when a test ends when every per-test service swaps in a standby.
    else if (context.testEnd !== false) {
      const last = isLastTest(event.test, state) ? '&last=1' : '';
      await askControl(context, 'test-end', this.#slot, undefined, last);
    }
  }
}

export { RebindEnvironment as TestEnvironment };
