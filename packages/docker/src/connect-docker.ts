import { hostname } from 'node:os';
import Docker from 'dockerode';
import { RebindError } from '@rebind/core';
import { isLoopback } from '@rebind/core/internal';

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
  /**
   * The engine publishes ports on another machine (or network namespace) than this
   * process's: this machine's port allocator cannot see them, so host ports are the
   * engine's choice. True for a tcp:// or ssh:// address that is not a loopback one, and
   * for any address whose engine calls itself by another name than this machine's
   * hostname (a forwarded socket, a CI job in a container using its host's engine).
   */
  readonly remote: boolean;
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
    // dockerode's own ssh transport (docker-modem + ssh2): it authenticates with the ssh
    // agent at SSH_AUTH_SOCK and runs `docker system dial-stdio` on the remote host.
    const agent = process.env.SSH_AUTH_SOCK;
    return {
      options: {
        host: url.hostname,
        port: Number(url.port || 22),
        username: url.username || undefined,
        protocol: 'ssh',
        ...(agent === undefined ? {} : { sshOptions: { agent } }),
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

function withDeadline<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

const remoteness = new Map<string, Promise<boolean>>();

/**
 * Whether the engine publishes its ports somewhere this machine's allocator cannot see.
 * An address that is not this machine's is remote at once; for a unix socket or a
 * loopback address, the engine's own name (`docker info`) is compared with this
 * machine's hostname once per endpoint and process.
 */
function isRemoteEngine(docker: Docker, endpoint: string, host: string): Promise<boolean> {
  if (!endpoint.startsWith('unix://') && !isLoopback(host)) return Promise.resolve(true);
  let known = remoteness.get(endpoint);
  if (known === undefined) {
    known = docker.info().then(
      (info: { Name?: string }) => info.Name !== undefined && info.Name !== hostname(),
      () => false,
    );
    remoteness.set(endpoint, known);
  }
  return known;
}

/** Connects to the Docker engine and checks that it answers; `REBIND_DOCKER_UNAVAILABLE` if not. */
export async function connectDocker(options: ConnectDockerOptions = {}): Promise<DockerConnection> {
  const {
    options: dockerOptions,
    endpoint,
    host,
  } = parseDockerHost(options.dockerHost ?? process.env.DOCKER_HOST);
  const timeout = options.timeout ?? 5000;
  // `timeout` is the ping's deadline only, kept here. Given to dockerode it would be every
  // request's socket-idle limit: a loaded engine's container start that took over 5 s was
  // cut ("socket hang up") and read as an engine that stopped answering. (Over ssh:// a
  // request's socket has no setTimeout() at all: Node's http client would throw from a
  // timer and the process die.)
  const docker = new Docker(dockerOptions);
  try {
    await withDeadline(docker.ping(), timeout);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new RebindError(
      'REBIND_DOCKER_UNAVAILABLE',
      `No Docker engine answers at ${endpoint} (${reason}). Start one (as root: bash docker/start-engine.sh, or dockerd &), or point DOCKER_HOST at a running engine.`,
      { cause: error, details: { endpoint } },
    );
  }
  return { docker, endpoint, host, remote: await isRemoteEngine(docker, endpoint, host) };
}
