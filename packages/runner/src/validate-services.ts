// Validates every declaration before anything starts: the declarations' own shape
// (resolveServices), then each service's options with its manager's validator. A manager
// is imported only when a service of its kind is declared, as start-instance.ts does.
import {
  checkServiceOptions,
  resolveServices,
  type ResolvedService,
  type ServiceKind,
} from './declaration.js';
import { loadDocker } from './load-manager.js';
import { checkServiceStandby, managerOptions, namingStandbyPath } from './standby.js';

type Validator = (options: unknown, path: string) => void;

const validators: Record<
  ServiceKind,
  (service: ResolvedService) => Promise<Validator | undefined>
> = {
  nginx: async () => (await import('@rebind/nginx')).validateNginxOptions,
  // @rebind/docker is optional: loadDocker says what to install when it is missing.
  container: async (service) => (await loadDocker(service)).validateContainerOptions,
  compose: async (service) => {
    const { validateComposeOptions } = await loadDocker(service);
    return validateComposeOptions;
  },
  // Checked in full by resolveServices.
  command: async () => undefined,
};

/**
 * {@link resolveServices}, then every service's options checked by its manager's
 * validator: a typo anywhere fails with `REBIND_INVALID_OPTION` naming its path
 * (`services.web.nginx.restartStrategy`) before any service starts.
 */
export async function validateServices(
  options: unknown,
  owner = 'rebind()',
): Promise<ResolvedService[]> {
  const services = resolveServices(options, owner);
  for (const service of services) {
    checkServiceStandby(service);
    const validate = await validators[service.kind](service);
    try {
      validate?.(managerOptions(service), `services.${service.name}.${service.kind}`);
    } catch (error) {
      throw namingStandbyPath(error, service);
    }
  }
  return services;
}

/**
 * The options of a service a test asks for itself (a Vitest fixture, Jest's helper),
 * checked as a declaration's would be; `path` names them in messages (`nginx()`).
 */
export async function validateServiceOptions(
  service: ResolvedService,
  path: string,
  owner: string,
): Promise<void> {
  checkServiceOptions(service.kind, service.options, path, owner);
  const validate = await validators[service.kind](service);
  validate?.(service.options, path);
}
