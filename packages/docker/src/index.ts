// The whole public surface of @rebind/docker: explicit named exports only.
export { connectDocker, parseDockerHost } from './connect-docker.js';
export type { ConnectDockerOptions, DockerConnection } from './connect-docker.js';
