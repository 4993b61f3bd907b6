import { RebindError } from '@rebind/core';
import { invalidOption } from '@rebind/core/internal';
import type { RebindContext, RebindOptions } from '@rebind/runner';

/**
 * Carries the control channels from globalSetup (main process) to the workers: JSON,
 * one context per Jest project (a multi-project config runs one host per project).
 */
export const CONTEXT_ENV = 'REBIND_CONTEXT';

/** What the adapter reads from a Jest project config. */
export interface ProjectConfigLike {
  readonly id?: string;
  readonly rootDir?: string;
  readonly testEnvironmentOptions?: Record<string, unknown>;
}

/** The key of a Jest project: its `id` (Jest derives it from the config), else its root. */
export const projectKey = (config: ProjectConfigLike): string =>
  config.id ?? config.rootDir ?? 'default';

/** The services, from `testEnvironmentOptions: { rebind: { services } }`. */
export function optionsFrom(projectConfig: ProjectConfigLike): RebindOptions {
  const options = projectConfig.testEnvironmentOptions?.rebind;
  if (options === undefined)
    throw invalidOption(
      'testEnvironmentOptions.rebind',
      'the services, e.g. `{ services: { web: { nginx: {} } } }`',
      options,
    );
  return options as RebindOptions;
}

function readContexts(): Record<string, RebindContext> {
  const raw = process.env[CONTEXT_ENV];
  return raw === undefined || raw === '' ? {} : (JSON.parse(raw) as Record<string, RebindContext>);
}

/** Records (or, with undefined, removes) a project's context in process.env. */
export function writeContext(key: string, context: RebindContext | undefined): void {
  const all = readContexts();
  if (context === undefined) delete all[key];
  else all[key] = context;
  if (Object.keys(all).length === 0) delete process.env[CONTEXT_ENV];
  else process.env[CONTEXT_ENV] = JSON.stringify(all);
}

export function contextFromEnv(key: string): RebindContext {
  const context = readContexts()[key];
  if (context === undefined)
    throw new RebindError(
      'REBIND_NOT_SET_UP',
      `rebind: \`${CONTEXT_ENV}\` has no services for this Jest project in this worker. Add \`globalSetup: '@rebind/jest/global-setup'\` and \`globalTeardown: '@rebind/jest/global-teardown'\` to the project's config. In a multi-project config Jest runs a globalSetup module once, with the first project's config: give each project its own file re-exporting them.`,
    );
  return context;
}
