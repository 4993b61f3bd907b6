// Reading the engine's refusals: dockerode's `reason` text is often wrong, so only the
// HTTP status code and the engine's own message (`json.message`) are used.
import { RebindError } from '@rebind/core';

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
