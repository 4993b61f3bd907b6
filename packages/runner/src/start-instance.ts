// Picks the manager that runs a service of each kind. Managers are imported when first
// used, so a run with only commands never loads the Docker client; @rebind/docker is an
// optional peer dependency (see load-manager.ts).
import type { StartComposeOptions, StartContainerOptions } from '@rebind/docker';
import type { StartNginxOptions } from '@rebind/nginx';
import { startCommandService } from './command-service.js';
import type { ServiceKind } from './declaration.js';
import { loadDocker } from './load-manager.js';
import type { InstanceStarter, ServiceInstance, StartContext } from './service-instance.js';

const withLabels = (
  options: Readonly<Record<string, unknown>>,
  labels: Readonly<Record<string, string>>,
) => ({
  ...options,
  labels: { ...(options.labels as Record<string, string> | undefined), ...labels },
});

const starters: Record<ServiceKind, InstanceStarter> = {
  command: startCommandService,

  async nginx({ service }: StartContext): Promise<ServiceInstance> {
    const { startNginx } = await import('@rebind/nginx');
    const nginx = await startNginx(service.options as StartNginxOptions);
    return {
      address: () => ({
        host: nginx.host,
        port: nginx.port,
        ports: nginx.ports,
        url: nginx.url,
        pid: nginx.pid,
        token: nginx.token,
      }),
      restart: () => nginx.restart(),
      stop: () => nginx.stop(),
    };
  },

  async container({ service, labels }: StartContext): Promise<ServiceInstance> {
    const { startContainer } = await loadDocker(service);
    const options = withLabels(service.options, labels) as unknown as StartContainerOptions;
    const container = await startContainer(options);
    const published = (options.ports ?? []).map((p) => (typeof p === 'number' ? p : p.container));
    return {
      address: () => ({
        host: container.host,
        port: container.port(),
        ports: Object.fromEntries(published.map((p) => [String(p), container.port(p)])),
        url: container.url(),
        token: container.token,
      }),
      restart: () => container.restart(),
      stop: () => container.stop(),
    };
  },

  // A compose project has no restart of its own: a restart is down() and a new project.
  // `endpoint: { service, port }` (stripped before startCompose) names the main endpoint.
  async compose({ service }: StartContext): Promise<ServiceInstance> {
    const { startCompose } = await loadDocker(service);
    const { endpoint, ...options } = service.options as unknown as StartComposeOptions & {
      readonly endpoint: { readonly service: string; readonly port: number };
    };
    let compose = await startCompose(options);
    return {
      address: () => {
        const port = compose.port(endpoint.service, endpoint.port);
        return {
          host: compose.host,
          port,
          ports: { [`${endpoint.service}:${endpoint.port}`]: port },
          url: compose.url(endpoint.service, endpoint.port),
        };
      },
      restart: async () => {
        await compose.down();
        compose = await startCompose(options);
      },
      stop: () => compose.down(),
    };
  },
};

export function startInstance(context: StartContext): Promise<ServiceInstance> {
  return starters[context.service.kind](context);
}
