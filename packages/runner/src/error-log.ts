// The two error-log checks nginx module tests make (test-nginx's `--- error_log` and
// `--- no_error_log`). A failure prints the log lines.

/** Anything with an error log: a test's nginx, or `startNginx()`'s handle. */
export interface HasErrorLog {
  errorLog(): Promise<string>;
}

export interface NoErrorLogOptions {
  /** The levels that fail the check. @default ['error', 'crit', 'alert', 'emerg'] */
  readonly levels?: readonly string[];
  /** Patterns that fail the check as well (test-nginx's `--- no_error_log` lines). @default [] */
  readonly patterns?: ReadonlyArray<string | RegExp>;
}

const indent = (log: string) =>
  log.trim() === ''
    ? '    (empty)'
    : log
        .trimEnd()
        .split('\n')
        .map((line) => `    ${line}`)
        .join('\n');

const matches = (line: string, pattern: string | RegExp) =>
  typeof pattern === 'string' ? line.includes(pattern) : pattern.test(line);

/**
 * Resolves when the current instance's error log has a line matching each pattern (a
 * string is a substring); otherwise throws with the missing patterns and the log.
 */
export async function expectErrorLog(
  server: HasErrorLog,
  patterns: string | RegExp | ReadonlyArray<string | RegExp>,
): Promise<void> {
  const log = await server.errorLog();
  const lines = log.split('\n');
  const wanted = Array.isArray(patterns) ? patterns : [patterns as string | RegExp];
  const missing = wanted.filter((p) => !lines.some((line) => matches(line, p)));
  if (missing.length > 0)
    throw new Error(
      `Expected the error log to have a line matching ${missing.map(String).join(', ')}. The error log of this instance:\n${indent(log)}`,
    );
}

/**
 * Resolves when the current instance's error log has no line at the given levels (by
 * default `[error]`, `[crit]`, `[alert]`, `[emerg]`) and none matching `patterns`;
 * otherwise throws with the offending lines and the whole log.
 */
export async function expectNoErrorLog(
  server: HasErrorLog,
  options: NoErrorLogOptions = {},
): Promise<void> {
  const log = await server.errorLog();
  const levels = options.levels ?? ['error', 'crit', 'alert', 'emerg'];
  const offending = log
    .split('\n')
    .filter(
      (line) =>
        levels.some((level) => line.includes(`[${level}]`)) ||
        (options.patterns ?? []).some((p) => matches(line, p)),
    );
  if (offending.length > 0)
    throw new Error(
      `Expected no ${levels.map((l) => `[${l}]`).join('/')} line${options.patterns?.length ? ' and none matching the patterns' : ''} in the error log, got ${offending.length}:\n${indent(offending.join('\n'))}\nThe error log of this instance:\n${indent(log)}`,
    );
}
