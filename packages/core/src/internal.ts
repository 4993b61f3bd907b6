// `@rebind/core/internal`: the kit rebind's own manager packages (nginx, docker, runner,
// adapters, CLI) are built from. Not for users: names here change without notice. What
// users call is exported from `@rebind/core` (src/index.ts).
export { indentOutput } from './errors.js';
export {
  describeValue,
  invalidOption,
  throwIfAborted,
  validatePort,
  validateSignal,
  validateTimeout,
} from './validate.js';
export { checkStandby, isLoopback, validateStrategy } from './restart/restart.js';
export { listeningInodes, pidsHoldingSockets } from './proc/process-tree.js';
export { parseProcNetTcp, readListeners } from './proc/proc-net.js';
export { writeFailure } from './write-failure.js';
export { RestartableHandle } from './handle/service-handle.js';
export type { HandleView } from './handle/service-handle.js';
export { serviceUrl } from './handle/service-url.js';
export { Serial } from './restart/serial.js';
export { dropPrefork, warmSpawner } from './process/spawner.js';
export { closestKey, editDistance } from './options/closest-key.js';
export {
  abortSignal,
  anyValue,
  boolean,
  check,
  func,
  isObject,
  isPort,
  nonEmptyString,
  oneOf,
  port,
  positiveInteger,
  required,
  rule,
  string,
  stringArray,
  stringRecord,
  timeout,
} from './options/rules.js';
export type { OptionPath, Rule, Schema } from './options/rules.js';
export {
  arrayOf,
  objectOf,
  optionPath,
  unknownOption,
  validateOptions,
} from './options/validate-options.js';
export { runOnce } from './proc/run-command.js';
export type { RunOptions, RunResult } from './proc/run-command.js';
export { validateProcessOptions } from './process/validate-process-options.js';
