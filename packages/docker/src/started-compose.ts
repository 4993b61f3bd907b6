// The handle startCompose returns: core's one handle shape over the restartable project,
// plus what is a project's own (projectName, portOf(service, port), urlOf()).
import type { RestartOptions, Restartable, ServiceHandle } from '@rebind/core';
import { RestartableHandle, invalidOption, serviceUrl } from '@rebind/core/internal';
import type { ComposeInstance } from './compose-project.js';
import type { RemappedPort } from './launch-container.js';

/** The published port a compose handle's `port` and `url` are about. */
export interface ComposeEndpoint {
  readonly service: string;
  /** The service's container (target) port. */
  readonly port: number;
}

/** A running compose project from {@link startCompose}: core's {@link ServiceHandle} plus a project's own members. */
export interface StartedCompose extends ServiceHandle {
  /** The current instance's compose project (with a standby, `<projectName>-<n>`). */
  readonly projectName: string;
  /** The address published ports are reached at. */
  readonly host: string;
  /** The host port of the endpoint (`endpoint`, else the first published port). */
  readonly port: number;
  /** Every published `service:containerPort` -> its host port. */
  readonly ports: Readonly<Record<string, number>>;
  /** `http://host:port/` of the endpoint. */
  readonly url: string;
  /** A fresh token per instance (the `rebind.token` label of its containers). */
  readonly token: string;
  /** Fixed host ports that were held and replaced. `containerPort` is the service's target port. */
  readonly remappedPorts: readonly (RemappedPort & { readonly service: string })[];
  /** The host port of a service's published container port. */
  portOf(service: string, containerPort: number): number;
  /** `http://host:port/path` of a service's published container port. */
  urlOf(service: string, containerPort: number, path?: string): string;
  /** Replaces every container of the project by a fresh one (a new `up`). */
  restart(options?: RestartOptions): Promise<void>;
  /** Removes the project's containers, networks and anonymous volumes; idempotent. */
  stop(): Promise<void>;
  /** @deprecated Use `stop()` (the same thing); `down()` goes in the next release. */
  down(): Promise<void>;
}

export class StartedComposeHandle
  extends RestartableHandle<ComposeInstance>
  implements StartedCompose
{
  constructor(
    restartable: Restartable<ComposeInstance>,
    host: string,
    private readonly baseProject: string,
    private readonly planned: readonly (RemappedPort & { readonly service: string })[],
    endpoint: ComposeEndpoint | undefined,
    cleanup: () => Promise<void>,
  ) {
    super(restartable, {
      host,
      port: (instance) =>
        endpoint === undefined
          ? ([...instance.published.values()][0] ?? 0)
          : publishedPort(instance, endpoint.service, endpoint.port),
      ports: (instance) => Object.fromEntries(instance.published),
      token: (instance) => instance.token,
      cleanup,
    });
  }

  override get token(): string {
    return this.instance.token;
  }
  get projectName(): string {
    return this.restartable.current?.project ?? this.baseProject;
  }
  /** The running instance's (a remote engine picks anew at each `up`), else the plan's. */
  get remappedPorts(): readonly (RemappedPort & { readonly service: string })[] {
    return this.restartable.current?.remappedPorts ?? this.planned;
  }
  portOf(service: string, containerPort: number): number {
    return publishedPort(this.instance, service, containerPort);
  }
  urlOf(service: string, containerPort: number, path = '/'): string {
    return serviceUrl(this.host, this.portOf(service, containerPort), path);
  }
  down(): Promise<void> {
    return this.stop();
  }
}

function publishedPort(instance: ComposeInstance, service: string, containerPort: number): number {
  const port = instance.published.get(`${service}:${containerPort}`);
  if (port === undefined) {
    throw invalidOption(
      'service and containerPort',
      `a published port (${[...instance.published.keys()].join(', ') || 'none'})`,
      `${service}:${containerPort}`,
    );
  }
  return port;
}
