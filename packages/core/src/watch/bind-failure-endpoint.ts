import { isIP } from 'node:net';

/** Where a bind failure happened, as far as the text says. */
export interface Endpoint {
  readonly host?: string;
  readonly port?: number;
}

/** An address worth naming: an IP address or `localhost` (never a redacted `xx.xx.1.2`). */
export function hostOf(text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  const host = text.replace(/^\[|\]$/g, '');
  if (host === 'localhost') return host;
  return isIP(host) === 0 ? undefined : host;
}

function portOf(text: string): number | undefined {
  const port = Number(text);
  return Number.isInteger(port) && port >= 1 && port <= 65535 ? port : undefined;
}

/**
 * Reads one endpoint as servers print it: `127.0.0.1:8080`, `[::]:80`, `:::3000` (Node),
 * `::1:6379` (redis), `*:80`, `:8080` (Go), `http://127.0.0.1:5000/`, `"tcp://0.0.0.0:80"`,
 * `localhost/127.0.0.1:8080` (Java), `/0.0.0.0:80` (Akka), `0.0.0.0:5432/tcp`, `8000-8010`
 * ranges (the first port), or a bare address. Anything else reads as nothing.
 */
export function endpointOf(raw: string): Endpoint {
  let text = raw.trim().replace(/^["'`(]+/, '');
  text = text.replace(/^[a-z][\w+.-]*:\/\//i, '');
  text = text.replace(/\/(?:tcp|udp)\b.*$/i, '');
  text = text.replace(/[^\d]+$/, '');
  const slash = text.lastIndexOf('/');
  if (slash >= 0) {
    const after = text.slice(slash + 1);
    const before = text.slice(0, slash);
    text = /:\d+$/.test(after) || before === '' ? after : before;
  }
  const match = /^(.*?):(\d{1,5})(?:-\d{1,5})?$/.exec(text);
  if (match === null) {
    const host = hostOf(text);
    return host === undefined ? {} : { host };
  }
  const [, rawHost = '', rawPort = ''] = match;
  let host = rawHost;
  if (/^:+$/.test(host)) host = '::';
  const port = portOf(rawPort);
  const named = hostOf(host);
  return {
    ...(named === undefined ? {} : { host: named }),
    ...(port === undefined ? {} : { port }),
  };
}

/** `127.0.0.1:8080`, `[::]:80`, `:::8080` (Node), `*:80`, `0.0.0.0:80`. */
export function splitHostPort(text: string): Endpoint {
  const colon = text.lastIndexOf(':');
  if (colon < 0) return {};
  const port = portOf(text.slice(colon + 1));
  if (port === undefined) return {};
  let host = text.slice(0, colon).replace(/^\[|\]$/g, '');
  if (host === '' || host === '*') return { port };
  if (/^:+$/.test(host)) host = '::';
  return { host, port };
}
