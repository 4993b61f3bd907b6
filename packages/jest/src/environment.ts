// The Jest test environment: jest-environment-node plus this worker's endpoints in
// `process.env.REBIND_ENDPOINTS`, refreshed at `test_start` (restarting per-test services
// the worker already used).
import { createRequire } from 'node:module';
import { createLogger } from '@rebind/core';
import {
  callControl,
  currentSlot,
  type ControlReply,
  type RebindContext,
} from '@rebind/runner/client';
import type { TestEnvironment as NodeEnvironmentClass } from 'jest-environment-node';
import { contextFromEnv, projectKey } from './context.js';
import { ENDPOINTS_ENV, FAILED_ENV } from './endpoint.js';

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
    this.#publish(await callControl(this.#context.control, 'acquire', this.#slot));
  }

  // Jest awaits this for every event. `test_start` precedes the test's beforeEach hooks:
  // the per-test instances are pristine then. `test_done` follows its afterEach hooks:
  // their restart begins at once and overlaps Jest's work between tests.
  async handleTestEvent(event: { name: string }): Promise<void> {
    const context = this.#context;
    if (context === undefined || (event.name !== 'test_start' && event.name !== 'test_done'))
      return;
    if (!Object.values(context.policies).includes('per-test')) return;
    if (event.name === 'test_start')
      this.#publish(await callControl(context.control, 'test-start', this.#slot));
    else await callControl(context.control, 'test-end', this.#slot);
  }
}

export { RebindEnvironment as TestEnvironment };
