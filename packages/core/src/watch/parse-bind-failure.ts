/** What a bind failure's raw text says: where, which errno, and who failed. */
export interface ParsedBindFailure {
  readonly host?: string;
  readonly port?: number;
  readonly path?: string;
  readonly errno?: 'EADDRINUSE' | 'EACCES' | 'EADDRNOTAVAIL';
  readonly server?: string;
  /** Known for Node (libuv), nginx and Docker: they all set SO_REUSEADDR. */
  readonly reuseAddr?: boolean;
  /** Docker: another container holds the port ('allocated') or a host process does ('proxy'). */
  readonly docker?: 'allocated' | 'proxy';
}

const errnos: Record<string, ParsedBindFailure['errno']> = {
  '98': 'EADDRINUSE',
  '48': 'EADDRINUSE', // macOS
  '10048': 'EADDRINUSE', // Windows
  '13': 'EACCES',
  '99': 'EADDRNOTAVAIL',
};

/** `127.0.0.1:8080`, `[::]:80`, `:::8080` (Node), `*:80`, `0.0.0.0:80`. */
export function splitHostPort(text: string): { host?: string; port?: number } {
  const colon = text.lastIndexOf(':');
  if (colon < 0) return {};
  const port = Number(text.slice(colon + 1));
  if (!Number.isInteger(port) || port < 1 || port > 65535) return {};
  let host = text.slice(0, colon).replace(/^\[|\]$/g, '');
  if (host === '' || host === '*') return { port };
  if (host === '::' || /^:+$/.test(host)) host = '::';
  return { host, port };
}

/** Reads Node's, nginx's, Docker's and Python's bind failure messages. */
export function parseBindFailureMessage(message: string): ParsedBindFailure {
  const nginx = /bind\(\) to (unix:)?(\S+) failed \((\d+): [^)]*\)/.exec(message);
  if (nginx) {
    const [, unix, target = '', errno = ''] = nginx;
    const base = { server: 'nginx', reuseAddr: true, errno: errnos[errno] } as const;
    return unix ? { ...base, path: target } : { ...base, ...splitHostPort(target) };
  }
  const allocated = /Bind for (\S+) failed: port is already allocated/.exec(message);
  if (allocated) {
    return {
      ...splitHostPort(allocated[1] ?? ''),
      server: 'Docker',
      reuseAddr: true,
      errno: 'EADDRINUSE',
      docker: 'allocated',
    };
  }
  const proxy = /listen tcp[46]? (\S+): bind: (address already in use|permission denied)/i.exec(
    message,
  );
  if (proxy) {
    return {
      ...splitHostPort(proxy[1] ?? ''),
      server: 'Docker',
      reuseAddr: true,
      errno: /permission/i.test(proxy[2] ?? '') ? 'EACCES' : 'EADDRINUSE',
      docker: 'proxy',
    };
  }
  const node = /(?:listen|bind) (EADDRINUSE|EACCES|EADDRNOTAVAIL):[^\n]*? (\S+)\s*$/m.exec(message);
  if (node) {
    const target = node[2] ?? '';
    const errno = node[1] as ParsedBindFailure['errno'];
    if (target.startsWith('/') || target.startsWith('\\\\'))
      return { path: target, errno, reuseAddr: true };
    return { ...splitHostPort(target), errno, reuseAddr: true };
  }
  const python = /\[Errno (\d+)\]/.exec(message);
  if (python) return { errno: errnos[python[1] ?? ''] };
  if (/EACCES|permission denied/i.test(message)) return { errno: 'EACCES' };
  if (/EADDRINUSE|address already in use/i.test(message)) return { errno: 'EADDRINUSE' };
  return {};
}
