import { endpointOf, hostOf } from './bind-failure-endpoint.js';
import type { Endpoint } from './bind-failure-endpoint.js';

/** One place in a text where a server says which address it failed to bind. */
export interface Hit extends Endpoint {
  readonly index: number;
  readonly path?: string;
  readonly server?: string;
  /** Known for Node (libuv), nginx, Go and Docker: they set SO_REUSEADDR. */
  readonly reuseAddr?: boolean;
  readonly docker?: 'allocated' | 'proxy';
}

type Found = Omit<Hit, 'index'>;

/** A recognizer: a pattern and how its match names the endpoint. Order does not matter. */
interface Pattern {
  readonly re: RegExp;
  read(m: RegExpExecArray, text: string): Found | undefined;
}

const at = (target: string | undefined, extra: Omit<Found, 'host' | 'port'> = {}): Found => ({
  ...endpointOf(target ?? ''),
  ...extra,
});
const port = (text: string | undefined, host?: string): Found => {
  const { port: p } = endpointOf(`:${text ?? ''}`);
  const h = hostOf(host);
  return { ...(h === undefined ? {} : { host: h }), ...(p === undefined ? {} : { port: p }) };
};
const pathOrEndpoint = (target: string, extra: Omit<Found, 'host' | 'port'>): Found =>
  target.startsWith('/') || target.startsWith('\\\\')
    ? { path: target.replace(/[\]),.:]+$/, ''), ...extra }
    : at(target, extra);

/** The last `{...}` of `ServerConnector@3207d26a{HTTP/1.1}{0.0.0.0:9022}`, spaces removed. */
function jettyTarget(text: string): string {
  const braces = [...text.matchAll(/\{([^}]*)\}/g)].map((b) => b[1] ?? '');
  return braces.length > 0 ? (braces.at(-1) ?? '').replace(/\s+/g, '') : text;
}

const node = { reuseAddr: true } as const;
const go = { reuseAddr: true } as const;
const docker = { server: 'Docker', reuseAddr: true, docker: 'proxy' } as const;
const dockerProxy = /userland proxy|driver failed programming|Ports are not available|rootlessport/;

export const patterns: readonly Pattern[] = [
  // nginx: bind() to 0.0.0.0:80 failed (98: ...), socket() [::]:80 failed, listen() to x, backlog
  {
    re: /\b(?:bind|listen|socket)\(\)(?: to)? (unix:)?(\S+?)(?:,| failed)/g,
    read: (m) => {
      const extra = { server: 'nginx', reuseAddr: true };
      return m[1] ? { path: m[2] ?? '', ...extra } : at(m[2], extra);
    },
  },
  // Docker: another container publishes the port
  {
    re: /Bind for (\S+?) failed: port is already allocated/g,
    read: (m) => at(m[1], { server: 'Docker', reuseAddr: true, docker: 'allocated' }),
  },
  // Docker Desktop
  {
    re: /Ports are not available: (?:exposing port (?:TCP|UDP) (\S+) ->|listen (?:tcp|udp)[46]? (\S+?): bind)/g,
    read: (m) => at(m[1] ?? m[2], { server: 'Docker', reuseAddr: true, docker: 'proxy' }),
  },
  { re: /failed to bind port (\S+?):? Error/g, read: (m) => at(m[1], { server: 'Docker' }) },
  // Go net.Listen (and everything written in Go: Docker's proxy, caddy, kubectl, podman)
  {
    re: /\blisten (?:tcp|udp)[46]? (\S+?): bind:/g,
    read: (m, text) =>
      at(m[1], dockerProxy.test(text.slice(Math.max(0, m.index - 400), m.index)) ? docker : go),
  },
  // Node: listen EADDRINUSE: address already in use :::3000, listen EADDRINUSE 0.0.0.0:3000
  {
    re: /\b(?:listen|bind) (?:EADDRINUSE|EACCES|EADDRNOTAVAIL)\b(?::[^\n]*?)?(?: (\S+))?[ \t]*$/gm,
    read: (m) => (m[1] === undefined ? { ...node } : pathOrEndpoint(m[1], node)),
  },
  // Node's error object: syscall: 'listen', address: '::', port: 5000
  {
    re: /syscall: '(?:listen|bind)',\s*address: '([^']*)',\s*port: (\d+)/g,
    read: (m) => port(m[2], m[1]),
  },
  // Python: uvicorn's "bind on address ('0.0.0.0', 8000)", asyncio's tuples
  { re: /bind on address \(\s*'([^']*)',\s*(\d+)/g, read: (m) => port(m[2], m[1]) },
  // Erlang tuples: {{127,0,0,1},4000}
  {
    re: /\{\{(\d{1,3}),(\d{1,3}),(\d{1,3}),(\d{1,3})\},\s*(\d{1,5})\}/g,
    read: (m) => port(m[5], `${m[1]}.${m[2]}.${m[3]}.${m[4]}`),
  },
  // Kestrel, Apache (make_sock), PHP's built-in server, Twisted, Ratchet, HttpListener...
  {
    re: /\b(?:could not|couldn't|cannot|can't|failed to|unable to) (?:bind|listen|open TCP port)(?: to| on)?(?: address| prefix)?:? (\S+)/gi,
    read: (m) => {
      const found = at(m[1]);
      return found.port === undefined ? undefined : found;
    },
  },
  // haproxy: cannot bind socket (Permission denied) for [0.0.0.0:80], cannot bind UNIX socket [/x]
  {
    re: /cannot bind (UNIX )?socket (?:\([^)]*\) )?(?:for )?\[([^\]]+)\]/g,
    read: (m) => (m[1] ? { path: m[2] ?? '', server: 'haproxy' } : at(m[2], { server: 'haproxy' })),
  },
  { re: /\bBinding (?:socket )?to (\S+)/g, read: (m) => at(m[1]) },
  { re: /\bon endpoint \[([^\]]+)\]/g, read: (m) => at(m[1]) },
  // Ruby: bind(2) for "0.0.0.0" port 3000 (Puma), bind(2) for 127.0.0.1:3000 (WEBrick)
  { re: /bind\(2\) for "([^"]*)" port (\d+)/g, read: (m) => port(m[2], m[1]) },
  { re: /bind\(2\) for ([^\s"]+:\d+)/g, read: (m) => at(m[1]) },
  // gunicorn: Connection in use: ('0.0.0.0', 8000)
  { re: /Connection in use: \(\s*'([^']*)',\s*(\d+)/g, read: (m) => port(m[2], m[1]) },
  // Jetty: FAILED SelectChannelConnector@0.0.0.0:8080: java.net.BindException
  {
    re: /FAILED \w*Connector@([\s\S]{0,400}?):? java\.net\.BindException/g,
    read: (m) => at(jettyTarget(m[1] ?? '')),
  },
  // Spring Boot, Tomcat, Postgres.app, Flask, gulp: "Port 8080 was already in use"
  {
    re: /\bport (\d{1,5}) (?:was |is )?(?:already )?(?:in use|taken|bound)\b/gi,
    read: (m) => port(m[1]),
  },
  { re: /\bport already in use (\d{1,5})\b/gi, read: (m) => port(m[1]) },
  { re: /Port\(s\) already bound: (\d{1,5})\b/g, read: (m) => port(m[1]) },
  { re: /connector configured to listen on port (\d{1,5}) failed/g, read: (m) => port(m[1]) },
  { re: /Connector\[[\w/.]+-(\d{1,5})\]/g, read: (m) => port(m[1]) },
  // libp2p multiaddrs: /dns/localhost/tcp/8080
  {
    re: /\/(?:ip4|ip6|dns|dns4|dns6)\/([^/\s]+)\/tcp\/(\d{1,5})\b/g,
    read: (m) => port(m[2], m[1]),
  },
  // redis
  {
    re: /(?:Could not create|Creating) server TCP listening socket (\S+?): (?:bind|listen|unable)/gi,
    read: (m) => at(m[1]),
  },
  { re: /another mysqld server running on port: (\d{1,5})/g, read: (m) => port(m[1]) },
  { re: /another postmaster already running on port (\d{1,5})/g, read: (m) => port(m[1]) },
  // sshd: Bind to port 22 on 0.0.0.0 failed
  {
    re: /\bBind\s+to\s+port\s+(\d{1,5})\s+on\s+(\S+?)\s+failed/g,
    read: (m) => port(m[1], m[2]),
  },
  // "Unable to listen on port 8080", "Failed listening on port 6379", "bind() to port 1735 ... failed"
  {
    re: /\b(?:fail\w*|unable|cannot|can't|could not|couldn't)\s+(?:to\s+)?(?:bind|listen)\w*(?:\(\))?(?: socket)?\s+(?:to|on)\s+port\s*:?\s*(\d{1,5})\b/gi,
    read: (m) => port(m[1]),
  },
  {
    re: /\b(?:bind|listen)\w*(?:\(\))?(?: socket)?\s+(?:to|on)\s+port\s+(\d{1,5})\b[^\n]{0,60}?\bfail/gi,
    read: (m) => port(m[1]),
  },
  { re: /\bbind (\d{2,5}) fail/g, read: (m) => port(m[1]) },
  // Phoenix: Running X with Cowboy on http://localhost:4000 failed / on port 4000 (http) failed
  {
    re: /with (?:Cowboy|Bandit|Ranch)\w* on (?:port (\d{1,5})|(\S+?)) (?:\(\w+\) )?failed/g,
    read: (m) => (m[1] === undefined ? at(m[2]) : port(m[1])),
  },
  { re: /\bAddress: (\S+)\s+Reason:/g, read: (m) => at(m[1]) },
];

// eslint-disable-next-line no-control-regex -- ESC is what a colour code starts with
const ansi = /(?:\x1b|←)\[[0-9;]*m/g;

/** Undoes what pasting does to a log: colour codes, Markdown links, quote marks. */
export function normalise(text: string): string {
  return text
    .replace(ansi, '')
    .replace(/\[([^\]\s]+)\]\((?:https?:)?\/\/[^)\s]*\)/g, '$1')
    .replace(/^[ \t]*>[ \t]?/gm, '');
}

/** Every hit in `text` (already normalised), in order of position. */
export function findHits(text: string): Hit[] {
  const hits: Hit[] = [];
  for (const { re, read } of patterns) {
    re.lastIndex = 0;
    let m: RegExpExecArray | null;
    while ((m = re.exec(text)) !== null) {
      const found = read(m, text);
      if (found !== undefined && (found.port !== undefined || found.path !== undefined)) {
        hits.push({ index: m.index, ...found });
      }
      if (m[0] === '') re.lastIndex += 1;
    }
  }
  return hits.sort((a, b) => a.index - b.index);
}
