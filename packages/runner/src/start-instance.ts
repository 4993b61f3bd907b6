// Picks the manager that runs a service of each kind; each returns core's one handle
// shape, which the service host uses as it is. Managers are imported when first used, so
// a run with only commands never loads the Docker client.
import type { ServiceHandle } from '@rebind/core';
import type { StartComposeOptions, StartContainerOptions } from '@rebind/docker';
import type { StartNginxOptions } from '@rebind/nginx';
import { startCommandService } from './command-service.js';
import { loadDocker } from './load-manager.js';
import type { ServiceKind } from './declaration.js';
import type { InstanceStarter, StartContext } from './service-instance.js';

const withLabels = (
  options: Readonly<Record<string, unknown>>,
  labels: Readonly<Record<string, string>>,
) => ({
  ...options,
  labels: { ...(options.labels as Record<string, string> | undefined), ...labels },
});

const starters: Record<ServiceKind, InstanceStarter> = {
  command: startCommandService,

  async nginx({ service }: StartContext): Promise<ServiceHandle> {
    const { startNginx } = await import('@rebind/nginx');
    return startNginx(service.options as StartNginxOptions);
  },

  async container({ service, labels }: StartContext): Promise<ServiceHandle> {
    const { startContainer } = await loadDocker(service);
    return startContainer(withLabels(service.options, labels) as unknown as StartContainerOptions);
  },

  // `endpoint: { service, port }` names the published port tests reach.
  async compose({ service }: StartContext): Promise<ServiceHandle> {
    const { startCompose } = await loadDocker(service);
    return startCompose(service.options as unknown as StartComposeOptions);
  },
};

export function startInstance(context: StartContext): Promise<ServiceHandle> {
  return starters[context.service.kind](context);
}
