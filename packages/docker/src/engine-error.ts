// Reading the engine's refusals: dockerode's `reason` text is often wrong, so only the
// HTTP status code and the engine's own message (`json.message`) are used.
import { RebindError, isRebindError } from '@rebind/core';

export interface EngineFailure {
  readonly statusCode: number | undefined;
  readonly message: string;
}

export function engineFailure(error: unknown): EngineFailure {
  const e = error as { statusCode?: unknown; json?: unknown; message?: unknown };
  const statusCode = typeof e?.statusCode === 'number' ? e.statusCode : undefined;
  let message: string | undefined;
  if (typeof e?.json === 'object' && e.json !== null && 'message' in e.json) {
    message = String((e.json as { message: unknown }).message);
  } else if (typeof e?.json === 'string' && e.json !== '') {
    message = e.json;
  }
  message ??= error instanceof Error ? error.message : String(error);
  return { statusCode, message: message.trim() };
}

/** A port conflict in a start failure: another container (`allocated`) or a host socket. */
export function portConflictIn(
  message: string,
): { readonly kind: 'allocated' | 'address-in-use'; readonly text: string } | undefined {
  const allocated = /Bind for \S+ failed: port is already allocated/.exec(message);
  if (allocated) return { kind: 'allocated', text: allocated[0] };
  const proxy =
    /(?:Error starting )?userland proxy: listen \S+ \S+: bind: address already in use/.exec(
      message,
    );
  if (proxy) return { kind: 'address-in-use', text: proxy[0] };
  if (/address already in use/.test(message)) return { kind: 'address-in-use', text: message };
  return undefined;
}

export function isNoSuchImage(failure: EngineFailure): boolean {
  return failure.statusCode === 404 && /no such image/i.test(failure.message);
}

export function imageNotFound(image: string, endpoint: string, cause: unknown): RebindError {
  const build = /^rebind\/(nginx|busybox):test$/.test(image)
    ? 'bash docker/build-images.sh (rebind never pulls)'
    : `docker build or docker load it (rebind never pulls; to pull it yourself: docker pull ${image})`;
  return new RebindError(
    'REBIND_IMAGE_NOT_FOUND',
    `The image ${image} is not on the Docker engine at ${endpoint}. Build it first: ${build}.`,
    { cause, details: { image, endpoint } },
  );
}

/** `REBIND_CONTAINER_FAILED` for any other refusal: what was asked, status code, message. */
export function containerFailed(what: string, error: unknown, logs?: string): RebindError {
  const failure = engineFailure(error);
  return new RebindError(
    'REBIND_CONTAINER_FAILED',
    `The Docker engine refused to ${what} (HTTP ${failure.statusCode ?? 'no status'}): ${failure.message}`,
    {
      cause: error,
      details: { statusCode: failure.statusCode, engineMessage: failure.message },
      attachments: logs === undefined ? {} : { logs },
    },
  );
}

const unreachableCodes = new Set([
  'ENOENT',
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
]);

/**
 * The engine did not answer at all (its socket is gone or refuses, the connection broke):
 * not a refusal with a status code. Looks through `cause`s (a REBIND_CONTAINER_FAILED of
 * a request that met a down engine).
 */
export function isEngineUnreachable(error: unknown): boolean {
  for (
    let e = error as
        { code?: unknown; statusCode?: unknown; cause?: unknown; message?: unknown } | undefined,
      depth = 0;
    e !== undefined && e !== null && depth < 5;
    e = e.cause as typeof e, depth++
  ) {
    if (typeof e.statusCode === 'number') return false;
    if (typeof e.code === 'string' && unreachableCodes.has(e.code)) return true;
    if (typeof e.message === 'string' && /socket hang up/.test(e.message)) return true;
  }
  return false;
}

/**
 * `error` as `REBIND_DOCKER_UNAVAILABLE` when the engine at `endpoint` did not answer, or
 * refused with a 5xx and no longer answers a ping within a second (an engine shutting down
 * answers "failed to update store" before it closes its socket); else `error` unchanged.
 * `what`: the call that met it.
 */
export async function asEngineError(
  error: unknown,
  connection: { readonly docker: { ping(): Promise<unknown> }; readonly endpoint: string },
  what: string,
): Promise<unknown> {
  if (isRebindError(error, 'REBIND_DOCKER_UNAVAILABLE')) return error;
  if (!isEngineUnreachable(error) && !(serverError(error) && (await goneWithin(connection, 1000))))
    return error;
  let root = error as { cause?: unknown };
  while (typeof root?.cause === 'object' && root.cause !== null) root = root.cause as typeof root;
  const reason = engineFailure(root).message;
  return new RebindError(
    'REBIND_DOCKER_UNAVAILABLE',
    `The Docker engine at ${connection.endpoint} stopped answering while rebind tried to ${what} (${reason}). Start it again (as root: bash docker/start-engine.sh, or dockerd &), or point DOCKER_HOST at a running engine; the next restart tries again.`,
    { cause: error, details: { endpoint: connection.endpoint } },
  );
}

/** A 5xx refusal, here or in a `cause`. */
function serverError(error: unknown): boolean {
  for (
    let e = error as { statusCode?: unknown; cause?: unknown } | undefined, depth = 0;
    e !== undefined && e !== null && depth < 5;
    e = e.cause as typeof e, depth++
  )
    if (typeof e.statusCode === 'number') return e.statusCode >= 500;
  return false;
}

/** Whether a ping fails within `ms` (pinged every 250 ms). */
async function goneWithin(
  connection: { readonly docker: { ping(): Promise<unknown> } },
  ms: number,
): Promise<boolean> {
  const deadline = performance.now() + ms;
  for (;;) {
    try {
      await connection.docker.ping();
    } catch {
      return true;
    }
    if (performance.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}
