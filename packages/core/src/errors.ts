/**
 * The one error type every rebind package throws. `code` is stable and documented in
 * docs/errors.md (a test keeps that table and {@link errorCodes} in sync).
 */
const brand = Symbol.for('rebind.error');

/** Every code rebind throws, with the one-line meaning shown in docs/errors.md. */
export const errorCodes = [
  'REBIND_INVALID_OPTION',
  'REBIND_UNSUPPORTED_PLATFORM',
  'REBIND_ABORTED',
  'REBIND_PORT_IN_USE',
  'REBIND_WAIT_TIMEOUT',
  'REBIND_PORTS_EXHAUSTED',
  'REBIND_START_TIMEOUT',
  'REBIND_PROCESS_EXITED',
  'REBIND_STOP_TIMEOUT',
  'REBIND_COMPONENT_MISSING',
  'REBIND_NGINX_UNSUPPORTED_VERSION',
  'REBIND_CONFIG_INVALID',
  'REBIND_UNSAFE_REUSEPORT',
  'REBIND_DOCKER_UNAVAILABLE',
  'REBIND_IMAGE_NOT_FOUND',
  'REBIND_CONTAINER_FAILED',
  'REBIND_WRITE_FAILED',
  'REBIND_NOT_RUNNING',
  'REBIND_NOT_SET_UP',
  'REBIND_PROBE_FAILED',
] as const;

export type RebindErrorCode = (typeof errorCodes)[number];

export interface RebindErrorOptions {
  readonly cause?: unknown;
  /**
   * Structured facts about the failure (the port, the holder, the strategy tried...).
   * Kept enumerable: they are small and make a logged error useful.
   */
  readonly details?: Readonly<Record<string, unknown>>;
  /**
   * Bulky attachments (full output, child handles). Non-enumerable, so logging the error
   * stays readable.
   */
  readonly attachments?: Readonly<Record<string, unknown>>;
}

export class RebindError extends Error {
  readonly code: RebindErrorCode;
  readonly details: Readonly<Record<string, unknown>>;
  declare readonly [brand]: true;

  constructor(code: RebindErrorCode, message: string, options: RebindErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    // Node's own idiom (`Error [ERR_X]: message`): the stack's first line, which Vitest
    // and Jest print for a failed test, carries the code; `name` stays 'RebindError'.
    this.name = `RebindError [${code}]`;
    void this.stack;
    this.name = 'RebindError';
    this.code = code;
    this.details = options.details ?? {};
    Object.defineProperty(this, brand, { value: true, enumerable: false });
    for (const [key, value] of Object.entries(options.attachments ?? {})) {
      Object.defineProperty(this, key, { value, enumerable: false, configurable: true });
    }
  }
}

/**
 * True for a {@link RebindError} from any copy of this package and any realm (Jest runs
 * tests in separate VM contexts, where `instanceof` fails). With `code`, also checks it.
 */
export function isRebindError(value: unknown, code?: RebindErrorCode): value is RebindError {
  if (typeof value !== 'object' || value === null) return false;
  if ((value as Record<symbol, unknown>)[brand] !== true) return false;
  return code === undefined || (value as RebindError).code === code;
}

/** Indents a block of process output under an error message. */
export function indentOutput(output: string, maxLines = 20): string {
  const lines = output.trimEnd().split('\n');
  const tail = lines.slice(-maxLines);
  const skipped = lines.length - tail.length;
  const head = skipped > 0 ? [`    ... ${skipped} earlier lines`] : [];
  return [...head, ...tail.map((line) => `    ${line}`)].join('\n');
}
