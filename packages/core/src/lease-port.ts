import { createServer } from 'node:net';

/** A port this process may use until `release()`. */
export interface LeasedPort {
  readonly port: number;
  release(): Promise<void>;
}

/**
 * The one place supervision gets a free port. Until the allocator (allocatePort) lands:
 * listen(0) on `host` and close.
 */
export function leasePort(host: string): Promise<LeasedPort> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, host, () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve({ port, release: () => Promise.resolve() }));
    });
  });
}
