// Picks the manager that runs a service of each kind; each returns core's one handle
// shape, which the service host uses as it is. Managers are imported when first used, so
// a run with only commands never loads the Docker client.
import type { ServiceHandle } from '@rebind/core';
import type { StartContainerOptions } from '@rebind/docker';
import { startCommandService } from './command-service.js';
import { loadDocker } from './load-manager.js';
import type { ResolvedService, ServiceKind } from './declaration.js';
import { managerOptions } from './standby.js';
import type { InstanceStarter, StartContext } from './service-instance.js';

type ServiceOf<K extends ServiceKind> = Extract<ResolvedService, { kind: K }>;

const withLabels = (
  options: StartContainerOptions,
  labels: Readonly<Record<string, string>>,
): StartContainerOptions => ({ ...options, labels: { ...options.labels, ...labels } });

const starters: Record<ServiceKind, InstanceStarter> = {
  command: startCommandService,

  async nginx({ service }: StartContext): Promise<ServiceHandle> {
    const { startNginx } = await import('@rebind/nginx');
    return startNginx(managerOptions(service as ServiceOf<'nginx'>));
  },

  async container({ service, labels }: StartContext): Promise<ServiceHandle> {
    const { startContainer } = await loadDocker(service);
    return startContainer(withLabels(managerOptions(service as ServiceOf<'container'>), labels));
  },

  // `endpoint: { service, port }` names the published port tests reach.
  async compose({ service }: StartContext): Promise<ServiceHandle> {
    const { startCompose } = await loadDocker(service);
    return startCompose(managerOptions(service as ServiceOf<'compose'>));
  },
};

export function startInstance(context: StartContext): Promise<ServiceHandle> {
  return starters[context.service.kind](context);
}
