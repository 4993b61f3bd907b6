import { createServer } from 'node:net';

/** A port for one more listen of the user's config, stable for the instance's life. */
export interface ExtraPort {
  readonly original: number;
  readonly port: number;
  release(): Promise<void>;
}

/** Until the allocator lands: listen(0) on `host` and close. */
export function leaseExtraPort(host: string, original: number): Promise<ExtraPort> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, host, () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve({ original, port, release: () => Promise.resolve() }));
    });
  });
}
