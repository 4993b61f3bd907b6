// A warning the user must see whatever DEBUG says: the run goes on, but something they
// declared will not work (the Docker engine does not answer). Written to stderr, where
// Vitest and Jest show a global setup's output.
import { createLogger } from '@rebind/core';

const log = createLogger('runner', 'warn');

export function warn(message: string): void {
  log(message);
  process.stderr.write(`rebind: warning: ${message}\n`);
}
