// Published ports in a resolved compose model (`docker-compose config` output): the short
// string syntax ("127.0.0.1:8080:80/tcp", "8080:80", "80") and the long one
// ({ published, target }). Compose 1.29 concatenates `ports` lists across files, so a
// fixed port cannot be replaced by an override file: rebind rewrites the resolved model.

export interface ComposePort {
  readonly service: string;
  readonly index: number;
  readonly hostIp: string | undefined;
  /** The fixed host port, or undefined when the engine picks one. */
  readonly published: number | undefined;
  readonly target: number;
  readonly protocol: string;
}

type Model = { services?: Record<string, { ports?: unknown[] } | null> };

function parseEntry(entry: unknown): Omit<ComposePort, 'service' | 'index'> | undefined {
  if (typeof entry === 'number')
    return { hostIp: undefined, published: undefined, target: entry, protocol: 'tcp' };
  if (typeof entry === 'string') {
    const m = /^(?:(\[[^\]]+\]|[\d.]+):)?(?:(\d*):)?(\d+)(?:\/(\w+))?$/.exec(entry);
    if (!m) return undefined;
    const published = m[2] === undefined || m[2] === '' || m[2] === '0' ? undefined : Number(m[2]);
    return { hostIp: m[1], published, target: Number(m[3]), protocol: m[4] ?? 'tcp' };
  }
  if (typeof entry === 'object' && entry !== null && 'target' in entry) {
    const e = entry as {
      target: unknown;
      published?: unknown;
      host_ip?: unknown;
      protocol?: unknown;
    };
    const published =
      e.published === undefined || Number(e.published) === 0 ? undefined : Number(e.published);
    return {
      hostIp: typeof e.host_ip === 'string' ? e.host_ip : undefined,
      published,
      target: Number(e.target),
      protocol: typeof e.protocol === 'string' ? e.protocol : 'tcp',
    };
  }
  return undefined;
}

export function composePorts(model: unknown): ComposePort[] {
  const ports: ComposePort[] = [];
  for (const [service, body] of Object.entries((model as Model).services ?? {})) {
    for (const [index, entry] of (body?.ports ?? []).entries()) {
      const parsed = parseEntry(entry);
      if (parsed !== undefined) ports.push({ service, index, ...parsed });
    }
  }
  return ports;
}

/** Replaces the host port of one entry in the model (in place). */
export function setPublished(model: unknown, port: ComposePort, published: number): void {
  const list = (model as Model).services?.[port.service]?.ports;
  if (list === undefined) return;
  const entry = list[port.index];
  if (typeof entry === 'object' && entry !== null) {
    (entry as { published: number }).published = published;
    return;
  }
  list[port.index] =
    `${port.hostIp === undefined ? '' : `${port.hostIp}:`}${published}:${port.target}/${port.protocol}`;
}

/** Drops the host port of one entry (in place): the engine picks one at each `up`. */
export function clearPublished(model: unknown, port: ComposePort): void {
  const list = (model as Model).services?.[port.service]?.ports;
  if (list === undefined) return;
  const entry = list[port.index];
  if (typeof entry === 'object' && entry !== null) {
    delete (entry as { published?: unknown }).published;
    return;
  }
  list[port.index] =
    `${port.hostIp === undefined ? '' : `${port.hostIp}::`}${port.target}/${port.protocol}`;
}

/** Adds labels to every service (in place). */
export function addLabels(model: unknown, labels: Readonly<Record<string, string>>): void {
  for (const body of Object.values((model as Model).services ?? {})) {
    if (body === null) continue;
    const service = body as { labels?: Record<string, string> | string[] };
    if (Array.isArray(service.labels)) {
      service.labels = [...service.labels, ...Object.entries(labels).map(([k, v]) => `${k}=${v}`)];
    } else service.labels = { ...service.labels, ...labels };
  }
}
