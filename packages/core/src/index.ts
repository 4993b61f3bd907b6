// The whole public surface of @rebind/core: explicit named exports only.
export { RebindError, errorCodes, indentOutput, isRebindError } from './errors.js';
export type { RebindErrorCode, RebindErrorOptions } from './errors.js';
export { createLogger } from './logger.js';
export type { Logger } from './logger.js';
export { startProcess } from './start-process.js';
export type { ProcessExit, StartProcessOptions, StartedProcess } from './start-process.js';
export { httpGet } from './readiness.js';
export type { HttpAnswer, ReadyCheck } from './readiness.js';
export { stopProcessGroup } from './stop-tree.js';
export { isRunning, listeningInodes, pidsHoldingSockets, processTree } from './process-tree.js';
export { parseProcNetTcp, readListeners } from './proc-net.js';
export type { StopOptions } from './stop-tree.js';
export { getWatchdog } from './watchdog.js';
export type { GuardedRequest, Watchdog } from './watchdog.js';
export { holdSocket } from './hold-socket.js';
export type { HeldSocket } from './hold-socket.js';
export { isLoopback, startRestartable, validateStrategy } from './restart.js';
export { restartStrategies } from './restart-plan.js';
export type {
  RestartHooks,
  RestartPlan,
  RestartStrategy,
  Restartable,
  RestartableOptions,
} from './restart-plan.js';
export type { PortSlot } from './restart-ports.js';
export { allocatePort, allocatePorts } from './allocate-port.js';
export type { AllocatePortOptions } from './allocate-port.js';
export type { LeaseListenOptions, LeaseServer, PortLease } from './port-lease.js';
export type { PortRange } from './port-range.js';
export {
  describeValue,
  invalidOption,
  throwIfAborted,
  validatePort,
  validateSignal,
  validateTimeout,
} from './validate.js';
export { inspectPort } from './inspect-port.js';
export type { InspectPortOptions } from './inspect-port.js';
export { waitForPort } from './wait-for-port.js';
export type { WaitForPortOptions } from './wait-for-port.js';
export { diagnoseBindFailure } from './diagnose-bind-failure.js';
export type { BindFailureCause, DiagnoseBindFailureOptions } from './diagnose-bind-failure.js';
export { parseBindFailureMessage, parseBindFailures } from './parse-bind-failure.js';
export type { FoundBindFailure, ParsedBindFailure } from './parse-bind-failure.js';
export { tcpStates } from './port-report.js';
export type {
  Bindable,
  ContainerInfo,
  PortOwner,
  PortReport,
  PortSocket,
  PortVerdict,
  TcpState,
} from './port-report.js';
