// Jest globalTeardown: stops every instance of this project (globalSetup and this share
// Jest's main process and its globalThis).
import { formatSummary } from '@rebind/runner';
import { optionsFrom, projectKey, writeContext, type ProjectConfigLike } from './context.js';
import { hosts } from './global-setup.js';

export default async function rebindGlobalTeardown(
  _globalConfig: unknown,
  projectConfig: ProjectConfigLike,
): Promise<void> {
  const key = projectKey(projectConfig);
  const host = hosts().get(key);
  if (host === undefined) return;
  hosts().delete(key);
  writeContext(key, undefined);
  const { leftovers, containers } = await host.stop();
  if (optionsFrom(projectConfig).summary)
    process.stdout.write(
      `\n${formatSummary(host.stats(), leftovers, host.services, containers)}\n`,
    );
}
