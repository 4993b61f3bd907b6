import { causeIn } from './bind-failure-cause.js';
import type { BindErrno } from './bind-failure-cause.js';
import { findHits, normalise } from './bind-failure-patterns.js';
import type { Hit } from './bind-failure-patterns.js';

export { splitHostPort } from './bind-failure-endpoint.js';

/** What a bind failure's raw text says: where, which errno, and who failed. */
export interface ParsedBindFailure {
  readonly host?: string;
  readonly port?: number;
  readonly path?: string;
  readonly errno?: BindErrno;
  readonly server?: string;
  /** Known for Node (libuv), nginx, Go and Docker: they all set SO_REUSEADDR. */
  readonly reuseAddr?: boolean;
  /** Docker: another container holds the port ('allocated') or a host process does ('proxy'). */
  readonly docker?: 'allocated' | 'proxy';
  /**
   * Windows said "forbidden by its access permissions" (WSAEACCES, 10013): on a port no
   * privilege guards, the port is usually in an excluded range or held exclusively.
   */
  readonly windows?: true;
}

/** One failure found in a longer text: what it says, and the line it starts on (0-based). */
export interface FoundBindFailure extends ParsedBindFailure {
  readonly line: number;
}

/** Lines around a hit whose words say its cause when its own line does not (wrapped messages). */
const before = 2;
const after = 3;

function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  return starts;
}

function lineOf(starts: readonly number[], index: number): number {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if ((starts[mid] as number) <= index) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

function failureAt(text: string, lines: readonly string[], line: number, hit: Hit) {
  const window = lines.slice(Math.max(0, line - before), line + after + 1).join('\n');
  const cause = causeIn(lines[line] ?? '') ?? causeIn(window) ?? causeIn(text);
  const { index: _index, ...where } = hit;
  return { ...where, ...(cause ?? {}), line };
}

/**
 * Finds every bind failure in a pasted message or a whole log: Node, nginx, Docker and
 * Docker Desktop, podman, Go, Java (Spring, Jetty, Tomcat, Netty), .NET, Python, Ruby,
 * Rust, PHP, Erlang/Elixir, Apache, redis, postgres, mysql, haproxy, caddy, kubectl, sshd,
 * and Windows' messages in English, German, French, Chinese and Italian. A port is
 * reported only where a server names it as the one it failed to bind: line numbers,
 * timestamps, pids, error codes and success messages are never read as ports. Failures on
 * the same port are reported once; a text that only names the cause gives one failure
 * without a port.
 */
export function parseBindFailures(message: string): FoundBindFailure[] {
  const text = normalise(message);
  const starts = lineStarts(text);
  const lines = text.split('\n');
  const found: FoundBindFailure[] = [];
  for (const hit of findHits(text)) {
    const key = hit.port ?? hit.path;
    const same = found.findIndex((f) => (f.port ?? f.path) === key);
    const failure = failureAt(text, lines, lineOf(starts, hit.index), hit);
    if (same < 0) found.push(failure);
    else if (found[same]?.host === undefined && failure.host !== undefined) {
      found[same] = { ...(found[same] as FoundBindFailure), host: failure.host };
    }
  }
  if (found.length === 0) {
    const cause = causeIn(text);
    const line = Math.max(
      0,
      lines.findIndex((l) => causeIn(l) !== undefined),
    );
    if (cause !== undefined) found.push({ ...cause, line });
  }
  return found;
}

/** Reads the first bind failure of a message (see {@link parseBindFailures}); `{}` if none. */
export function parseBindFailureMessage(message: string): ParsedBindFailure {
  const [first] = parseBindFailures(message);
  if (first === undefined) return {};
  const { line: _line, ...failure } = first;
  return failure;
}
