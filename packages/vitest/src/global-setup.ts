// Vitest globalSetup (added by the `rebind()` plugin). Runs in Vitest's main process:
// starts the services, provides the control channel and shared endpoints to tests,
// applies the rerun policy in watch mode, and returns the teardown. On SIGINT/SIGTERM
// Vitest skips the teardown: the core watchdog then removes every process and container.
import { formatSummary, startServiceHost, type RebindOptions } from '@rebind/runner';
import { invalidOption } from '@rebind/core/internal';
import type { TestProject } from 'vitest/node';
import { CONTEXT_KEY, OPTIONS_KEY } from './provided-context.js';

export default async function rebindGlobalSetup(
  project: TestProject,
): Promise<() => Promise<void>> {
  const options = (project.config.provide as Record<string, unknown> | undefined)?.[OPTIONS_KEY];
  if (options === undefined)
    throw invalidOption(
      'services',
      'declared with the `rebind({ services })` plugin in vitest.config',
      options,
    );
  const host = await startServiceHost(options as RebindOptions);
  project.provide(CONTEXT_KEY, host.context);
  project.onTestsRerun(async () => {
    await host.rerun();
  });
  return async () => {
    const { leftovers, containers } = await host.stop();
    if ((options as RebindOptions).summary)
      process.stdout.write(
        `\n${formatSummary(host.stats(), leftovers, host.services, containers)}\n`,
      );
  };
}
