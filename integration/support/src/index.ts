// Helpers shared by the integration suites and the packages' own tests: real components
// that must be there, temp dirs that are always removed, and leak checks.
export { requireComponent, componentStatus } from './require-component.js';
export type { Component } from './require-component.js';
export { listProcesses, descendantsOf, nginxMastersUnder } from './processes.js';
export type { ProcessRow } from './processes.js';
export { createHostNetwork, netnsStatus } from './netns.js';
export type { HostNetwork, Netns } from './netns.js';
export { startRemoteEngine } from './remote-engine.js';
export type { RemoteEngine, StartRemoteEngineOptions } from './remote-engine.js';
export { startSshServer } from './ssh-server.js';
export type { SshServer, StartSshServerOptions } from './ssh-server.js';
export { startPrivateEngine } from './private-engine.js';
export type { PrivateEngine, PrivateEngineOptions } from './private-engine.js';
