// The handle startContainer returns: core's one handle shape over the restartable
// container, plus what is a container's own (id, name, logs(), portOf(), urlOf()).
import {
  RebindError,
  createLogger,
  type RestartOptions,
  type Restartable,
  type ServiceHandle,
} from '@rebind/core';
import { RestartableHandle, invalidOption, serviceUrl } from '@rebind/core/internal';
import type { DockerConnection } from './connect-docker.js';
import { readLogs } from './container-logs.js';
import type { Instance, RemappedPort } from './launch-container.js';

/** A running container from {@link startContainer}: core's {@link ServiceHandle} plus a container's own members. */
export interface StartedContainer extends ServiceHandle {
  /** The current instance's container id (changes on restart). */
  readonly id: string;
  readonly name: string;
  /** The address published ports are reached at: `127.0.0.1`, or a remote engine's host. */
  readonly host: string;
  /** The host port of the first published container port. */
  readonly port: number;
  /** Every published container port -> its host port. */
  readonly ports: Readonly<Record<string, number>>;
  /** `http://host:port/` for the first published container port. */
  readonly url: string;
  /** The current instance's hostname, a fresh random token per instance. */
  readonly token: string;
  /** Fixed host ports that were held and replaced (onPortConflict: 'remap'). */
  readonly remappedPorts: readonly RemappedPort[];
  /** The host port of a published container port (the first one by default). */
  portOf(containerPort?: number): number;
  /** `http://host:port/path` for a published container port (the first one by default). */
  urlOf(containerPort?: number, path?: string): string;
  /** Replaces the container by a fresh one; see the README for the ordering it guarantees. */
  restart(options?: RestartOptions): Promise<void>;
  /** Removes the container; idempotent. */
  stop(): Promise<void>;
  /** The current instance's stdout and stderr. */
  logs(): Promise<string>;
}

export class StartedContainerHandle
  extends RestartableHandle<Instance>
  implements StartedContainer
{
  #stopped = false;
  readonly #connection: DockerConnection;

  constructor(
    restartable: Restartable<Instance>,
    host: string,
    connection: DockerConnection,
    readonly remappedPorts: readonly RemappedPort[],
    cleanup?: () => Promise<void>,
  ) {
    super(restartable, {
      host,
      ...(cleanup === undefined ? {} : { cleanup }),
      port: (instance) => firstPort(instance),
      ports: (instance) => Object.fromEntries([...instance.ports].map(([c, h]) => [String(c), h])),
      token: (instance) => instance.token,
    });
    this.#connection = connection;
    this.#lastName = restartable.current?.name ?? 'the container';
  }

  #lastName: string;

  protected override get instance(): Instance {
    const instance = this.#stopped ? undefined : this.restartable.current;
    if (instance === undefined)
      throw new RebindError(
        'REBIND_NOT_RUNNING',
        `Container ${this.#lastName} is not running: it was stopped, or its last restart failed. Start a new one with startContainer().`,
        { details: { name: this.#lastName } },
      );
    this.#lastName = instance.name;
    return instance;
  }

  get id(): string {
    return this.instance.id;
  }
  get name(): string {
    return this.instance.name;
  }
  override get token(): string {
    return this.instance.token;
  }
  override get port(): number {
    return this.portOf();
  }
  portOf(containerPort?: number): number {
    const instance = this.instance;
    const key = containerPort ?? [...instance.ports.keys()][0];
    const port = key === undefined ? undefined : instance.ports.get(key);
    if (port === undefined)
      throw invalidOption(
        'containerPort',
        `a published container port (${[...instance.ports.keys()].join(', ') || 'none'})`,
        containerPort,
      );
    return port;
  }
  urlOf(containerPort?: number, path = '/'): string {
    return serviceUrl(this.host, this.portOf(containerPort), path);
  }
  override async restart(options?: RestartOptions): Promise<void> {
    // Not this.instance: after a failed restart there is none, and this restart retries.
    const log = createLogger('docker', this.restartable.current?.name ?? this.#lastName);
    await super.restart(options);
    log('restarted as %s', this.restartable.instance.name);
  }
  override stop(): Promise<void> {
    this.#stopped = true;
    return super.stop();
  }
  async logs(): Promise<string> {
    return readLogs(this.#connection.docker, this.instance.id);
  }
}

function firstPort(instance: Instance): number {
  const first = [...instance.ports.values()][0];
  return first ?? 0;
}
