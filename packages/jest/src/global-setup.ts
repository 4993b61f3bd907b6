// Jest globalSetup: starts the services in Jest's main process and hands the control
// channel to the workers through process.env (workers are spawned after this runs).
// Jest has no signal handling: on Ctrl-C it skips globalTeardown, and the core watchdog
// removes every process and container.
import { startServiceHost, type ServiceHost } from '@rebind/runner';
import { CONTEXT_ENV, optionsFrom } from './context.js';

export const HOST_KEY = Symbol.for('rebind.jest.host');

export default async function rebindGlobalSetup(
  _globalConfig: unknown,
  projectConfig: { testEnvironmentOptions?: Record<string, unknown> },
): Promise<void> {
  const host = await startServiceHost(optionsFrom(projectConfig));
  (globalThis as { [HOST_KEY]?: ServiceHost })[HOST_KEY] = host;
  process.env[CONTEXT_ENV] = JSON.stringify(host.context);
}
