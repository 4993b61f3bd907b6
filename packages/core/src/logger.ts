import createDebug from 'debug';

export type Logger = (format: string, ...args: unknown[]) => void;

/**
 * A `DEBUG=rebind:*` logger: `createLogger('nginx', 41234)` writes lines prefixed
 * `[nginx:41234]` under the `rebind:nginx` namespace.
 */
export function createLogger(namespace: string, context?: string | number): Logger {
  const debug = createDebug(`rebind:${namespace}`);
  const prefix = `[${namespace}${context === undefined ? '' : `:${context}`}] `;
  return (format, ...args) => {
    if (debug.enabled) debug(prefix + format, ...args);
  };
}
