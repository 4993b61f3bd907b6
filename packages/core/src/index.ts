// The whole public surface of @rebind/core: explicit named exports only.
export { RebindError, errorCodes, indentOutput, isRebindError } from './errors.js';
export type { RebindErrorCode, RebindErrorOptions } from './errors.js';
export { createLogger } from './logger.js';
export type { Logger } from './logger.js';
export {
  describeValue,
  invalidOption,
  throwIfAborted,
  validatePort,
  validateSignal,
  validateTimeout,
} from './validate.js';
