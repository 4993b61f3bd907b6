// The whole public surface of @rebind/core: explicit named exports only.
export { RebindError, errorCodes, isRebindError } from './errors.js';
export type { RebindErrorCode, RebindErrorOptions } from './errors.js';
export { createLogger } from './logger.js';
export type { Logger } from './logger.js';
export { startProcess } from './process/start-process.js';
export type { RestartOptions, ServiceHandle, StandbyView } from './handle/service-handle.js';
export type { ProcessExit, StartProcessOptions, StartedProcess } from './process/start-process.js';
export { httpGet } from './process/readiness.js';
export type { HttpAnswer, ReadyCheck } from './process/readiness.js';
export { stopProcessGroup } from './process/stop-tree.js';
export { isRunning, processTree } from './proc/process-tree.js';
export type { StopOptions } from './process/stop-tree.js';
export { getWatchdog } from './process/watchdog.js';
export type { GuardedRequest, Watchdog } from './process/watchdog.js';
export { holdSocket } from './restart/hold-socket.js';
export type { HeldSocket } from './restart/hold-socket.js';
export { startRestartable } from './restart/restart.js';
export { restartStrategies } from './restart/restart-plan.js';
export type {
  RestartCall,
  RestartHooks,
  RestartPlan,
  RestartStrategy,
  Restartable,
  RestartableOptions,
  StopReason,
} from './restart/restart-plan.js';
export type { PortSlot } from './restart/restart-ports.js';
export { allocatePort, allocatePorts } from './allocate/allocate-port.js';
export type { AllocatePortOptions } from './allocate/allocate-port.js';
export type { LeaseListenOptions, LeaseServer, PortLease } from './allocate/port-lease.js';
export type { PortRange } from './allocate/port-range.js';
export { inspectPort } from './watch/inspect-port.js';
export type { InspectPortOptions } from './watch/inspect-port.js';
export { waitForPort } from './watch/wait-for-port.js';
export type { WaitForPortOptions } from './watch/wait-for-port.js';
export { diagnoseBindFailure } from './watch/diagnose-bind-failure.js';
export type {
  BindFailureCause,
  DiagnoseBindFailureOptions,
} from './watch/diagnose-bind-failure.js';
export { parseBindFailureMessage, parseBindFailures } from './watch/parse-bind-failure.js';
export type { FoundBindFailure, ParsedBindFailure } from './watch/parse-bind-failure.js';
export { tcpStates } from './watch/port-report.js';
export type {
  Bindable,
  ContainerInfo,
  PortOwner,
  PortReport,
  PortSocket,
  PortVerdict,
  TcpState,
} from './watch/port-report.js';
