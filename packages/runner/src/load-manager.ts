// @rebind/docker is an optional peer dependency: a run without containers never installs
// dockerode and its native add-ons. It is imported when a service first needs it, and its
// absence is a RebindError that says what to install.
import { RebindError } from '@rebind/core';

type DockerModule = typeof import('@rebind/docker');

/** True for Node's "cannot find package" error about `specifier` itself, not a dependency of it. */
export function isMissingPackage(error: unknown, specifier: string): boolean {
  const e = error as { code?: unknown; message?: unknown } | null;
  return (
    typeof e?.code === 'string' &&
    ['ERR_MODULE_NOT_FOUND', 'MODULE_NOT_FOUND'].includes(e.code) &&
    typeof e.message === 'string' &&
    e.message.includes(`'${specifier}'`)
  );
}

/** A declared service, as far as the message about its missing manager needs it. */
export interface ManagedService {
  readonly name: string;
  readonly kind: string;
}

/** The error for a service whose manager package is not installed. */
export function missingManager(
  specifier: string,
  service: ManagedService,
  cause: unknown,
): RebindError {
  const install = `npm install -D ${specifier}`;
  return new RebindError(
    'REBIND_COMPONENT_MISSING',
    `Service \`${service.name}\` is a ${service.kind}, which needs ${specifier}, and ${specifier} is not installed (it is an optional peer dependency, so projects without containers do without the Docker client). Fix: ${install}`,
    { cause, details: { service: service.name, package: specifier, install } },
  );
}

/** Imports @rebind/docker for a `container` or `compose` service. */
export async function loadDocker(service: ManagedService): Promise<DockerModule> {
  try {
    return await import('@rebind/docker');
  } catch (error) {
    if (isMissingPackage(error, '@rebind/docker'))
      throw missingManager('@rebind/docker', service, error);
    throw error;
  }
}
