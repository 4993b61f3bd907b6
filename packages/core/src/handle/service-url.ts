/**
 * The one URL builder of rebind's handles: `http://host:port/path`, IPv6 hosts in
 * brackets (`http://[::1]:8080/`). `path` defaults to `/`, so a handle's `url` always ends
 * with a slash; a path without its leading slash gets one.
 */
export function serviceUrl(host: string, port: number, path = '/'): string {
  const name = host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
  return `http://${name}:${port}${path.startsWith('/') ? path : `/${path}`}`;
}
