import { parseBindFailures } from '@rebind/core';
import type { FoundBindFailure } from '@rebind/core';

/** A failure found in a stream: what {@link parseBindFailures} says, and its line's text. */
export interface StreamFailure extends FoundBindFailure {
  /** The 1-based line number in the stream. */
  readonly lineNumber: number;
  /** The text of that line. */
  readonly text: string;
}

/** Lines kept around the newest one: enough for wrapped messages and their cause words. */
const windowSize = 12;
/** Lines a failure waits for before it is reported, so that its cause words have arrived. */
const settle = 3;

/** Words without which a line cannot start or finish a bind failure (skips most of a log). */
const hint =
  /bind|listen|port|in use|errno|socket|EADDR|EACC|allocated|assign|forbidden|permission|套接字|Zugriff|adresse|AddrIn|AddrNot|error \d/i;

const keyOf = (f: FoundBindFailure) =>
  f.port !== undefined ? `port ${f.port}` : f.path !== undefined ? `path ${f.path}` : undefined;

/**
 * Finds bind failures in a stream of lines without holding the stream: a window of the
 * last lines is read as each line arrives. Each port (or unix path) is reported once; a
 * failure that names no port only at the end, and only if no failure with a port had the
 * same errno.
 */
export class FailureScanner {
  readonly #window: string[] = [];
  #first = 1;
  readonly #seen = new Set<string>();
  readonly #portless = new Map<string, StreamFailure>();
  readonly #errnos = new Set<string>();

  /** Adds one line; returns the failures that are now certain. */
  push(line: string): StreamFailure[] {
    this.#window.push(line);
    if (this.#window.length > windowSize) {
      this.#window.shift();
      this.#first += 1;
    }
    const recent = this.#window.slice(-settle - 1);
    return recent.some((l) => hint.test(l)) ? this.#scan(this.#window.length - 1 - settle) : [];
  }

  /** The stream ended (or went quiet): everything left, port-less failures last. */
  flush(): StreamFailure[] {
    const found = this.#scan(this.#window.length - 1);
    for (const [errno, failure] of this.#portless) {
      if (!this.#errnos.has(errno)) found.push(failure);
    }
    this.#portless.clear();
    return found;
  }

  #scan(lastLine: number): StreamFailure[] {
    const found: StreamFailure[] = [];
    for (const failure of parseBindFailures(this.#window.join('\n'))) {
      if (failure.line > lastLine) continue;
      const at = {
        ...failure,
        lineNumber: this.#first + failure.line,
        text: this.#window[failure.line] ?? '',
      };
      const key = keyOf(failure);
      if (key === undefined) {
        if (failure.errno !== undefined && !this.#portless.has(failure.errno)) {
          this.#portless.set(failure.errno, at);
        }
        continue;
      }
      if (this.#seen.has(key)) continue;
      this.#seen.add(key);
      if (failure.errno !== undefined) this.#errnos.add(failure.errno);
      found.push(at);
    }
    return found;
  }
}
