// Jest globalTeardown: stops every instance (globalSetup and this share Jest's main
// process and its globalThis).
import { formatSummary, type ServiceHost } from '@rebind/runner';
import { CONTEXT_ENV, optionsFrom } from './context.js';
import { HOST_KEY } from './global-setup.js';

export default async function rebindGlobalTeardown(
  _globalConfig: unknown,
  projectConfig: { testEnvironmentOptions?: Record<string, unknown> },
): Promise<void> {
  const holder = globalThis as { [HOST_KEY]?: ServiceHost };
  const host = holder[HOST_KEY];
  if (host === undefined) return;
  delete holder[HOST_KEY];
  delete process.env[CONTEXT_ENV];
  const { leftovers } = await host.stop();
  if (optionsFrom(projectConfig).summary)
    process.stdout.write(`\n${formatSummary(host.stats(), leftovers, host.services)}\n`);
}
