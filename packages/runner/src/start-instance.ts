// Picks the manager that runs a service of each kind.
import { RebindError } from '@rebind/core';
import { startCommandService } from './command-service.js';
import type { ServiceKind } from './declaration.js';
import type { InstanceStarter, ServiceInstance, StartContext } from './service-instance.js';

async function managerFunction(pkg: '@rebind/nginx' | '@rebind/docker', name: string) {
  const mod = (await import(pkg)) as Record<string, unknown>;
  const fn = mod[name];
  if (typeof fn !== 'function')
    throw new RebindError(
      'REBIND_UNSUPPORTED_PLATFORM',
      `This build of ${pkg} has no \`${name}\`. Update ${pkg} to the version that matches this adapter.`,
    );
  return fn as (options: Record<string, unknown>) => Promise<Record<string, unknown>>;
}

/** Wraps a manager's started handle (startNginx, startContainer, startCompose). */
function fromHandle(handle: Record<string, unknown>): ServiceInstance {
  const call = (method: string) => (handle[method] as () => Promise<unknown>).call(handle);
  return {
    address: () => {
      const port = handle.port as number;
      const host = (handle.host as string | undefined) ?? '127.0.0.1';
      const ports = (handle.ports as Record<string, number> | undefined) ?? {
        [String(port)]: port,
      };
      return {
        host,
        port,
        ports: Array.isArray(ports)
          ? Object.fromEntries(ports.map((p: number) => [String(p), p]))
          : ports,
        url: (handle.url as string | undefined) ?? `http://${host}:${port}`,
        pid: handle.pid as number | undefined,
      };
    },
    restart: async () => void (await call('restart')),
    stop: async () => void (await call('stop')),
  };
}

const starters: Record<ServiceKind, InstanceStarter> = {
  command: startCommandService,
  nginx: async ({ service }: StartContext) =>
    fromHandle(
      await (
        await managerFunction('@rebind/nginx', 'startNginx')
      )({ ...service.options }),
    ),
  container: async ({ service, labels }: StartContext) =>
    fromHandle(
      await (
        await managerFunction('@rebind/docker', 'startContainer')
      )({
        ...service.options,
        labels: { ...(service.options.labels as Record<string, string> | undefined), ...labels },
      }),
    ),
  compose: async ({ service, labels }: StartContext) =>
    fromHandle(
      await (
        await managerFunction('@rebind/docker', 'startCompose')
      )({
        ...service.options,
        labels: { ...(service.options.labels as Record<string, string> | undefined), ...labels },
      }),
    ),
};

export function startInstance(context: StartContext): Promise<ServiceInstance> {
  return starters[context.service.kind](context);
}
