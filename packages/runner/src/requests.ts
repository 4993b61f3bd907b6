// Requests as nginx module tests make them (test-nginx's `--- request`,
// `--- pipelined_requests`, `--- raw_request`): undici's Client for HTTP/1.1 (it pipelines
// and decodes chunked bodies), node:net for bytes sent and received as they are.
import { connect } from 'node:net';
import { Client } from 'undici';

/** Where to send: a test's server, a `startNginx()` handle, or any `{ host, port }`. */
export interface Target {
  readonly host: string;
  readonly port: number;
}

export interface RequestOptions {
  /** @default 'GET' */
  readonly method?: string;
  /** @default '/' */
  readonly path?: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string | Uint8Array;
}

export interface Response {
  readonly status: number;
  /** Header names in lower case; repeated headers joined with `, `. */
  readonly headers: Readonly<Record<string, string>>;
  /** The body, chunked encoding decoded. */
  readonly body: string;
}

export interface RawResponse extends Response {
  /** Every byte received, as received. */
  readonly raw: Buffer;
  /** The body as received: chunked encoding NOT decoded. */
  readonly body: string;
}

const origin = (target: Target) =>
  `http://${target.host.includes(':') ? `[${target.host}]` : target.host}:${target.port}`;

/** `'GET /echo'` or an options object. */
export type RequestSpec = string | RequestOptions;

function toOptions(
  spec: RequestSpec,
): Required<Pick<RequestOptions, 'method' | 'path'>> & RequestOptions {
  if (typeof spec !== 'string') return { method: 'GET', path: '/', ...spec };
  const [method = 'GET', path = '/'] = spec.trim().split(/\s+/);
  return { method, path };
}

function headersOf(raw: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(raw))
    if (value !== undefined)
      out[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  return out;
}

/** Sends the requests in order on one connection, pipelined (undici's Client). */
export async function pipelined(
  target: Target,
  specs: readonly RequestSpec[],
): Promise<Response[]> {
  const client = new Client(origin(target), { pipelining: Math.max(1, specs.length) });
  try {
    return await Promise.all(
      specs.map(async (spec) => {
        const { method, path, headers, body } = toOptions(spec);
        const res = await client.request({
          method: method as 'GET',
          path,
          headers: headers as Record<string, string> | undefined,
          body: body as string | undefined,
        });
        return {
          status: res.statusCode,
          headers: headersOf(res.headers),
          body: await res.body.text(),
        };
      }),
    );
  } finally {
    await client.close();
  }
}

/** One request (undici); the body's chunked encoding is decoded. */
export async function request(target: Target, spec: RequestSpec = 'GET /'): Promise<Response> {
  const [response] = await pipelined(target, [spec]);
  return response as Response;
}

/**
 * Sends `bytes` as they are on a new connection (half-closed after them unless
 * `keepOpen`) and resolves with what came back once the server closes, or after
 * `timeout` ms of silence. Status and headers are read from the head; the body is as
 * received (chunked encoding not decoded).
 */
export function rawRequest(
  target: Target,
  bytes: string | Uint8Array,
  options: { readonly timeout?: number; readonly keepOpen?: boolean } = {},
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const socket = connect({ host: target.host, port: target.port });
    socket.setTimeout(options.timeout ?? 2000, () => socket.destroy());
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', reject);
    socket.on('connect', () => {
      socket.write(bytes);
      if (options.keepOpen !== true) socket.end();
    });
    socket.on('close', () => {
      const raw = Buffer.concat(chunks);
      const text = raw.toString('latin1');
      const end = text.indexOf('\r\n\r\n');
      const head = (end < 0 ? text : text.slice(0, end)).split('\r\n');
      const headers: Record<string, string> = {};
      for (const line of head.slice(1)) {
        const colon = line.indexOf(':');
        if (colon <= 0) continue;
        const name = line.slice(0, colon).trim().toLowerCase();
        const value = line.slice(colon + 1).trim();
        headers[name] = headers[name] === undefined ? value : `${headers[name]}, ${value}`;
      }
      resolve({
        raw,
        status: Number(/^HTTP\/\d\.\d (\d{3})/.exec(head[0] ?? '')?.[1] ?? 0),
        headers,
        body:
          end < 0
            ? ''
            : raw.subarray(Buffer.byteLength(text.slice(0, end + 4), 'latin1')).toString('utf8'),
      });
    });
  });
}
