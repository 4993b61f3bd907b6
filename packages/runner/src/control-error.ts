// Errors across the control channel. The main process sends a failure as JSON (message,
// code, details); the worker rebuilds it as a RebindError, so `isRebindError(error, code)`
// holds in test workers as it does in the main process. Imports only core's error module:
// the worker side stays small.
import { RebindError, errorCodes, isRebindError, type RebindErrorCode } from '@rebind/core/errors';

/** A failure as sent over the control channel. */
export interface WireError {
  readonly message: string;
  readonly code?: string;
  readonly details?: Readonly<Record<string, unknown>>;
}

/** The JSON-safe part of `details` (a value JSON cannot carry is left out). */
function jsonSafe(details: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const safe: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(details)) {
    try {
      const text = JSON.stringify(value);
      if (text !== undefined) safe[key] = JSON.parse(text) as unknown;
    } catch {
      // a cycle or a bigint: not carried
    }
  }
  return safe;
}

/** The main process side: what to send for `error`. */
export function toWire(error: unknown): WireError {
  if (isRebindError(error))
    return { message: error.message, code: error.code, details: jsonSafe(error.details) };
  return { message: error instanceof Error ? error.message : String(error) };
}

const isCode = (code: unknown): code is RebindErrorCode =>
  errorCodes.includes(code as RebindErrorCode);

/**
 * The worker side: a RebindError with the main process's code, message and details. A
 * failure without a rebind code (a bug, or a foreign error) stays a plain Error.
 */
export function fromWire(wire: WireError): Error {
  if (isCode(wire.code))
    return new RebindError(wire.code, wire.message, { details: wire.details ?? {} });
  return new Error(wire.message);
}

/** The main process did not answer at all: it has exited, or the run is over. */
export function unreachable(control: string, cause: Error): RebindError {
  const base = control.replace(/\/[^/]*$/, '');
  return new RebindError(
    'REBIND_NOT_RUNNING',
    `rebind: the runner's main process did not answer at ${base} (${cause.message}). It has probably exited; services are cleaned up by its watchdog.`,
    { cause, details: { control: base } },
  );
}
