// The whole public surface of @rebind/docker: explicit named exports only.
export { connectDocker, parseDockerHost } from './connect-docker.js';
export type { ConnectDockerOptions, DockerConnection } from './connect-docker.js';
export { startContainer } from './start-container.js';
export { validateContainerOptions } from './validate-container-options.js';
export type { PortMapping, StartContainerOptions, StartedContainer } from './start-container.js';
export type { HostPortRequest, PortConflictPolicy, RemappedPort } from './launch-container.js';
export type { ReadyCheck } from './wait-ready.js';
export { startCompose } from './start-compose.js';
export { validateComposeOptions } from './validate-compose-options.js';
export type { ComposeEndpoint, StartComposeOptions, StartedCompose } from './start-compose.js';
export { removeStaleContainers } from './remove-stale-containers.js';
export type { RemoveStaleContainersOptions, RemovedContainer } from './remove-stale-containers.js';
export { findLeftoverContainers } from './leftover-containers.js';
export type { FindLeftoverContainersOptions, LeftoverContainer } from './leftover-containers.js';
export type { PortHolder } from './find-port-holder.js';
export type { Ownership } from './session.js';
