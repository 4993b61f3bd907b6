import { RebindError } from './errors.js';

/** Describes a value the way execa's messages do: `70000` (number). */
export function describeValue(value: unknown): string {
  if (value === null) return '`null`';
  if (typeof value === 'string') return `\`${JSON.stringify(value).slice(1, -1)}\` (string)`;
  if (typeof value === 'object') {
    let text: string;
    try {
      text = JSON.stringify(value) ?? String(value);
    } catch {
      text = String(value);
    }
    return `\`${text}\` (${Array.isArray(value) ? 'array' : 'object'})`;
  }
  return `\`${String(value)}\` (${typeof value})`;
}

/** `REBIND_INVALID_OPTION`: "Expected the `port` option to be ..., got `70000` (number)." */
export function invalidOption(name: string, expected: string, value: unknown): RebindError {
  return new RebindError(
    'REBIND_INVALID_OPTION',
    `Expected the \`${name}\` option to be ${expected}, got ${describeValue(value)}.`,
    { details: { option: name, value } },
  );
}

export function validatePort(value: unknown, name = 'port'): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > 65535) {
    throw invalidOption(name, 'an integer from 1 to 65535', value);
  }
  return value;
}

export function validateTimeout(value: unknown, name = 'timeout'): number {
  if (typeof value !== 'number' || Number.isNaN(value) || value < 0) {
    throw invalidOption(name, 'a number of milliseconds >= 0 (or Infinity)', value);
  }
  return value;
}

export function validateSignal(value: unknown, name = 'signal'): AbortSignal | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'object' || value === null || !('aborted' in value)) {
    throw invalidOption(name, 'an AbortSignal', value);
  }
  return value as AbortSignal;
}

/** Throws `REBIND_ABORTED` (with the signal's reason as cause) if the signal has fired. */
export function throwIfAborted(signal: AbortSignal | undefined, what: string): void {
  if (signal?.aborted) {
    throw new RebindError('REBIND_ABORTED', `${what} was aborted.`, { cause: signal.reason });
  }
}
