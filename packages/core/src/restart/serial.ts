/**
 * Runs calls one at a time, in call order: each waits for the one before it (fulfilled or
 * rejected). The one call-serialising helper of rebind's handles: a `stop()` during a
 * `restart()` stops the new instance, not only the old one.
 */
export class Serial {
  #queue: Promise<unknown> = Promise.resolve();

  run<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.#queue.then(fn, fn);
    this.#queue = next.catch(() => undefined);
    return next;
  }
}
