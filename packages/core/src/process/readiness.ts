import { request } from 'node:http';
import { listeningInodes, pidsHoldingSockets, processTree } from '../proc/process-tree.js';

/** What proves a started process ready. */
export type ReadyCheck =
  | {
      /** Ready when this TCP port is in LISTEN state, held by the started process tree. */
      readonly tcp: number;
    }
  | {
      /** Ready when a GET of this URL (or `http://127.0.0.1:<port>/`) answers `status`. */
      readonly http: string | number;
      /**
       * Accepted statuses.
       * @default 200 to 399
       */
      readonly status?: number | readonly number[];
      /** When set, the body must contain this string or match this pattern. */
      readonly body?: string | RegExp;
      /** Extra request headers (for example `host`). */
      readonly headers?: Readonly<Record<string, string>>;
    }
  | {
      /** Ready when the output (stdout and stderr, or `stream`) matches. */
      readonly output: string | RegExp;
      /** @default 'both' */
      readonly stream?: 'stdout' | 'stderr' | 'both';
    }
  | {
      /**
       * Ready when this returns true. Polled every `interval` ms. Throwing fails the
       * start with that error (the process is stopped first).
       */
      readonly check: (process: {
        readonly pid: number;
        output(): string;
      }) => boolean | Promise<boolean>;
    };

export interface HttpAnswer {
  readonly status: number;
  readonly body: string;
}

/** One GET without keep-alive; rejects on a connection error or after `timeout` ms. */
export function httpGet(
  url: string,
  headers: Readonly<Record<string, string>> = {},
  timeout = 2000,
): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent: false, headers, timeout }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.on('timeout', () => req.destroy(new Error(`no answer from ${url} within ${timeout} ms`)));
    req.end();
  });
}

/** Describes a check for messages: "HTTP 200-399 from http://127.0.0.1:41234/". */
export function describeReadyCheck(check: ReadyCheck | undefined): string {
  if (check === undefined) return 'nothing (the process counts as ready once spawned)';
  if ('tcp' in check) return `TCP port ${check.tcp} listening, held by the process tree`;
  if ('http' in check) {
    const status = check.status === undefined ? '200-399' : [check.status].flat().join(' or ');
    const body = check.body === undefined ? '' : ` with a body matching ${String(check.body)}`;
    return `HTTP ${status} from ${httpUrl(check.http)}${body}`;
  }
  if ('output' in check) return `output matching ${String(check.output)}`;
  return 'the custom `check` function to return true';
}

export function httpUrl(target: string | number): string {
  return typeof target === 'number' ? `http://127.0.0.1:${target}/` : target;
}

/**
 * One poll of a check (not for `output` checks, which are event driven). Resolves true
 * when ready; connection errors count as not ready; errors of a custom check propagate.
 */
export async function pollReadyCheck(
  check: Exclude<ReadyCheck, { output: unknown }>,
  target: { readonly pid: number; output(): string },
): Promise<boolean> {
  if ('tcp' in check) {
    // /proc only, never a probe connection: the watcher's waitForPort connects and resets,
    // and a server that writes on accept (no 'error' handler) dies of that ECONNRESET.
    const inodes = listeningInodes(check.tcp);
    if (inodes.size === 0) return false;
    return pidsHoldingSockets(processTree(target.pid), inodes).length > 0;
  }
  if ('http' in check) {
    let answer: HttpAnswer;
    try {
      answer = await httpGet(httpUrl(check.http), check.headers);
    } catch {
      return false;
    }
    const statuses = check.status === undefined ? undefined : [check.status].flat();
    const statusOk = statuses
      ? statuses.includes(answer.status)
      : answer.status >= 200 && answer.status < 400;
    if (!statusOk) return false;
    if (check.body === undefined) return true;
    return typeof check.body === 'string'
      ? answer.body.includes(check.body)
      : check.body.test(answer.body);
  }
  return check.check(target);
}
