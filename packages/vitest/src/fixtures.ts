// Vitest fixtures (Playwright's idiom): a test asks for its own server and receives the
// started handle. The worker's instance keeps its slot, port and prefix for the whole run
// (it lives in the main process's service host, beside the declared services); each test's
// configuration is applied by one restart of it, at that test's start. No restart follows
// a worker's last test.
import type { StartNginxOptions } from '@rebind/nginx';
import { currentSlot, remoteError } from '@rebind/runner/client';
import { startTestServer, type TestServer } from '@rebind/runner/test-server';
import type { CommandServiceOptions, ServiceKind } from '@rebind/runner';
import { inject } from 'vitest';
import './provided-context.js';

/** A test's nginx: `startNginx()`'s configuration options (not its port: the slot's). */
export type NginxFixtureOptions = Omit<
  StartNginxOptions,
  'port' | 'signal' | 'keepPrefix' | 'restartStrategy' | 'allowUnsafeReuseport'
>;

/** A test's own server of any kind: exactly one of `nginx`, `container`, `compose`, `command`. */
export type ServiceRequest =
  | { readonly nginx: NginxFixtureOptions }
  | { readonly container: Readonly<Record<string, unknown>> }
  | { readonly compose: Readonly<Record<string, unknown>> }
  | { readonly command: CommandServiceOptions };

/** The worker-scoped connection to the service host. */
export interface RebindWorker {
  readonly control: string;
  readonly socket?: string;
  readonly slot: number;
}

export interface RebindTestFixtures {
  /**
   * Options every `nginx()` call of the tests in scope starts from (its own options win):
   * `mainConfig` with your `load_module`, your `binary`. Set per file or describe block
   * with `test.override({ nginxDefaults })` (Vitest 4) or `test.scoped(...)` (Vitest 3).
   * @default {}
   */
  nginxDefaults: NginxFixtureOptions;
  /** Restarts the worker's nginx with this test's configuration (starts it the first time). */
  nginx: (options?: NginxFixtureOptions) => Promise<TestServer>;
  /** The same for any kind of service (nginx restarts in place; others are replaced). */
  service: (request: ServiceRequest) => Promise<TestServer>;
}

export interface RebindWorkerFixtures {
  rebindWorker: RebindWorker;
}

const kinds: readonly ServiceKind[] = ['nginx', 'container', 'compose', 'command'];

function workerConnection(): RebindWorker {
  const context = inject('rebind');
  if (context === undefined)
    throw remoteError(
      'rebind: no service host in this run. Add `rebind()` to `plugins` in vitest.config (with or without declared `services`): the fixtures run their servers there.',
      'REBIND_INVALID_OPTION',
    );
  return { control: context.control, socket: context.socket, slot: currentSlot() };
}

/**
 * The fixtures, for `test.extend(rebindFixtures)`. Vitest reads each fixture function's
 * first parameter to find what it depends on: keep the destructuring patterns below.
 */
export const rebindFixtures = {
  rebindWorker: [
    // eslint-disable-next-line no-empty-pattern
    async ({}, use: (value: RebindWorker) => Promise<void>) => use(workerConnection()),
    { scope: 'worker' },
  ],
  nginxDefaults: [{}, { scope: 'test' }],
  nginx: [
    async (
      {
        rebindWorker,
        nginxDefaults,
      }: { rebindWorker: RebindWorker; nginxDefaults: NginxFixtureOptions },
      use: (value: RebindTestFixtures['nginx']) => Promise<void>,
    ) => {
      let active = true;
      const context = {
        ...rebindWorker,
        holder: 'The `nginx` fixture',
        active: () => active,
        prepare: (options: Readonly<Record<string, unknown>>) => mergeNginx(nginxDefaults, options),
      };
      await use((options = {}) =>
        startTestServer(context, 'nginx', mergeNginx(nginxDefaults, options)),
      );
      active = false;
    },
    { scope: 'test' },
  ],
  service: [
    async (
      {
        rebindWorker,
        nginxDefaults,
      }: { rebindWorker: RebindWorker; nginxDefaults: NginxFixtureOptions },
      use: (value: RebindTestFixtures['service']) => Promise<void>,
    ) => {
      let active = true;
      const context = { ...rebindWorker, holder: 'The `service` fixture', active: () => active };
      await use(async (request) => {
        const named = kinds.filter((k) => (request as Record<string, unknown>)[k] !== undefined);
        if (named.length !== 1)
          throw remoteError(
            `Expected the \`service\` fixture's argument to be an object with exactly one of ${kinds.map((k) => `\`${k}\``).join(', ')}, got \`${JSON.stringify(request)}\`.`,
            'REBIND_INVALID_OPTION',
          );
        const kind = named[0] as ServiceKind;
        const options = (request as Record<string, Readonly<Record<string, unknown>>>)[kind] ?? {};
        const prepare = (o: Readonly<Record<string, unknown>>) =>
          kind === 'nginx' ? mergeNginx(nginxDefaults, o) : o;
        return startTestServer({ ...context, prepare }, kind, prepare(options));
      });
      active = false;
    },
    { scope: 'test' },
  ],
} as const;

/** The test's options over the defaults; a test's `config` drops a default `snippet` and back. */
function mergeNginx(
  defaults: NginxFixtureOptions,
  options: Readonly<Record<string, unknown>>,
): Readonly<Record<string, unknown>> {
  const base: Record<string, unknown> = { ...defaults };
  if (options.config !== undefined) delete base.snippet;
  if (options.snippet !== undefined) delete base.config;
  return { ...base, ...options };
}
