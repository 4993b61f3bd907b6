// The test side of @rebind/jest is built as CommonJS and loads no dependency (Jest runs
// CommonJS test files in its own module system, which cannot load @rebind/core's ESM).
// Its errors are built here in RebindError's shape with RebindError's `Symbol.for` brand,
// so `isRebindError(error, code)` from any copy of @rebind/core holds for them
// (endpoint.test.ts checks that against core's own guard).

/** The codes the test side throws (a subset of @rebind/core's `errorCodes`). */
export type TestSideCode =
  | 'REBIND_INVALID_OPTION'
  | 'REBIND_NOT_SET_UP'
  | 'REBIND_DOCKER_UNAVAILABLE'
  | 'REBIND_NOT_RUNNING';

export interface BrandedError extends Error {
  readonly code: TestSideCode;
  readonly details: Readonly<Record<string, unknown>>;
}

export function brandedError(
  code: TestSideCode,
  message: string,
  details: Readonly<Record<string, unknown>> = {},
): BrandedError {
  const error = Object.assign(new Error(message), { code, details });
  error.name = 'RebindError';
  Object.defineProperty(error, Symbol.for('rebind.error'), { value: true, enumerable: false });
  return error;
}
