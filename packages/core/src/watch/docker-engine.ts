import { request } from 'node:http';
import type { ContainerInfo } from './port-report.js';

/** Where the engine listens: `DOCKER_HOST` (unix:// or tcp://), read when used. */
function engineTarget(): { socketPath: string } | { host: string; port: number } {
  const dockerHost = process.env.DOCKER_HOST ?? '';
  if (dockerHost.startsWith('unix://')) return { socketPath: dockerHost.slice(7) };
  if (dockerHost.startsWith('tcp://')) {
    const url = new URL(`http://${dockerHost.slice(6)}`);
    return { host: url.hostname, port: Number(url.port || 2375) };
  }
  return { socketPath: '/var/run/docker.sock' };
}

/** GET on the Docker Engine API with plain node:http; undefined when no engine answers in time. */
export function engineGet(path: string, timeoutMs = 2000): Promise<unknown> {
  return new Promise((resolve) => {
    const req = request({ ...engineTarget(), path, method: 'GET', timeout: timeoutMs }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => {
        if (res.statusCode !== 200) return resolve(undefined);
        try {
          resolve(JSON.parse(body) as unknown);
        } catch {
          resolve(undefined);
        }
      });
      res.on('error', () => resolve(undefined));
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(undefined));
    req.end();
  });
}

interface ContainerSummary {
  Id: string;
  Names?: string[];
  Image?: string;
  NetworkSettings?: {
    Networks?: Record<string, { IPAddress?: string; GlobalIPv6Address?: string }>;
  };
}

/**
 * The container a docker-proxy forwards `hostPort` to, preferring the one whose network
 * address is `containerIp`. Undefined when no engine answers (fast: a missing socket fails
 * at once, a hung engine after `timeoutMs`).
 */
export async function findContainerByPublishedPort(
  hostPort: number,
  containerIp?: string,
  timeoutMs = 2000,
): Promise<ContainerInfo | undefined> {
  const filters = encodeURIComponent(JSON.stringify({ publish: [`${hostPort}/tcp`] }));
  const list = await engineGet(`/containers/json?filters=${filters}`, timeoutMs);
  if (!Array.isArray(list) || list.length === 0) return undefined;
  const containers = list as ContainerSummary[];
  const byIp = containers.find((c) =>
    Object.values(c.NetworkSettings?.Networks ?? {}).some(
      (n) => n.IPAddress === containerIp || n.GlobalIPv6Address === containerIp,
    ),
  );
  const found = byIp ?? containers[0];
  if (found === undefined) return undefined;
  return {
    id: found.Id.slice(0, 12),
    name: (found.Names?.[0] ?? '').replace(/^\//, ''),
    image: found.Image ?? '',
  };
}
