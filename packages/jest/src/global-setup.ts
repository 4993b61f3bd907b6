// Jest globalSetup: starts the services in Jest's main process and hands the control
// channel to the workers through process.env (workers are spawned after this runs).
// Jest has no signal handling: on Ctrl-C it skips globalTeardown, and the core watchdog
// removes every process and container.
import { startServiceHost, validateServices, type ServiceHost } from '@rebind/runner';
import { optionsFrom, projectKey, writeContext, type ProjectConfigLike } from './context.js';

const HOSTS_KEY = Symbol.for('rebind.jest.hosts');

/** This process's hosts by Jest project (globalSetup and globalTeardown share globalThis). */
export function hosts(): Map<string, ServiceHost> {
  const holder = globalThis as { [HOSTS_KEY]?: Map<string, ServiceHost> };
  return (holder[HOSTS_KEY] ??= new Map());
}

export default async function rebindGlobalSetup(
  _globalConfig: unknown,
  projectConfig: ProjectConfigLike,
): Promise<void> {
  const key = projectKey(projectConfig);
  const options = optionsFrom(projectConfig);
  // Every declaration, with each manager's own validator, before anything starts.
  await validateServices(options, 'testEnvironmentOptions.rebind');
  const host = await startServiceHost(options);
  hosts().set(key, host);
  writeContext(key, host.context);
}
