import { allocatePort } from '@rebind/core';

/** A port for one more listen of the user's config, stable for the instance's life. */
export interface ExtraPort {
  readonly original: number;
  readonly port: number;
  release(): Promise<void>;
}

export async function leaseExtraPort(host: string, original: number): Promise<ExtraPort> {
  const lease = await allocatePort({ host, acceptTimeWait: true });
  return { original, port: lease.port, release: () => lease.release() };
}
