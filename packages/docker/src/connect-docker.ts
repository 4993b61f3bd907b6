import Docker from 'dockerode';
import { RebindError } from '@rebind/core';

export interface ConnectDockerOptions {
  /**
   * The engine to use, as `DOCKER_HOST` spells it (`unix:///var/run/docker.sock`,
   * `tcp://127.0.0.1:2375`, `ssh://user@host`).
   * @default process.env.DOCKER_HOST, else the local unix socket
   */
  readonly dockerHost?: string;
  /** How long to wait for the engine's answer to a ping, in milliseconds. @default 5000 */
  readonly timeout?: number;
}

export interface DockerConnection {
  readonly docker: Docker;
  /** What the connection was made to, for messages: `unix:///var/run/docker.sock`. */
  readonly endpoint: string;
  /** The host name or address published ports are reached at from here. */
  readonly host: string;
}

/** Reads a `DOCKER_HOST` value into dockerode options and the host that serves published ports. */
export function parseDockerHost(value: string | undefined): {
  options: Docker.DockerOptions;
  endpoint: string;
  host: string;
} {
  if (value === undefined || value === '') {
    return {
      options: { socketPath: '/var/run/docker.sock' },
      endpoint: 'unix:///var/run/docker.sock',
      host: '127.0.0.1',
    };
  }
  if (value.startsWith('unix://')) {
    return {
      options: { socketPath: value.slice('unix://'.length) },
      endpoint: value,
      host: '127.0.0.1',
    };
  }
  const url = new URL(value);
  const protocol = url.protocol.replace(/:$/, '');
  if (protocol === 'tcp' || protocol === 'http' || protocol === 'https') {
    return {
      options: {
        host: url.hostname,
        port: Number(url.port || (protocol === 'https' ? 2376 : 2375)),
        protocol: protocol === 'https' ? 'https' : 'http',
      },
      endpoint: value,
      host: url.hostname.replace(/^\[|\]$/g, ''),
    };
  }
  if (protocol === 'ssh') {
    return {
      options: {
        host: url.hostname,
        port: Number(url.port || 22),
        username: url.username || undefined,
        protocol: 'ssh',
      },
      endpoint: value,
      host: url.hostname.replace(/^\[|\]$/g, ''),
    };
  }
  throw new RebindError(
    'REBIND_INVALID_OPTION',
    `Expected \`DOCKER_HOST\` to be a unix://, tcp:// or ssh:// address, got \`${value}\` (string).`,
    { details: { option: 'DOCKER_HOST', value } },
  );
}

/** Connects to the Docker engine and checks that it answers; `REBIND_DOCKER_UNAVAILABLE` if not. */
export async function connectDocker(options: ConnectDockerOptions = {}): Promise<DockerConnection> {
  const {
    options: dockerOptions,
    endpoint,
    host,
  } = parseDockerHost(options.dockerHost ?? process.env.DOCKER_HOST);
  const timeout = options.timeout ?? 5000;
  const docker = new Docker({ ...dockerOptions, timeout });
  try {
    await docker.ping();
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new RebindError(
      'REBIND_DOCKER_UNAVAILABLE',
      `No Docker engine answers at ${endpoint} (${reason}). Start one (as root: bash docker/start-engine.sh, or dockerd &), or point DOCKER_HOST at a running engine.`,
      { cause: error, details: { endpoint } },
    );
  }
  return { docker, endpoint, host };
}
