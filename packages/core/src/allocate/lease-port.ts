import { allocatePort } from './allocate-port.js';

/** A port this process may use until `release()`. */
export interface LeasedPort {
  readonly port: number;
  release(): Promise<void>;
}

/**
 * The one place supervision gets a free port: the cross-process allocator, accepting
 * TIME_WAIT (the servers supervised here set SO_REUSEADDR: nginx, Node, docker-proxy).
 */
export function leasePort(host: string): Promise<LeasedPort> {
  return allocatePort({ host, acceptTimeWait: true });
}
