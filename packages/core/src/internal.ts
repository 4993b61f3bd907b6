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
export { isLoopback, validateStrategy } from './restart/restart.js';
export { listeningInodes, pidsHoldingSockets } from './proc/process-tree.js';
export { parseProcNetTcp, readListeners } from './proc/proc-net.js';
export { writeFailure } from './write-failure.js';
