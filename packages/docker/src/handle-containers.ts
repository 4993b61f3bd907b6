// The containers of one startContainer handle that the engine may hold although rebind
// lost track of them: a create whose answer was lost, a removal or a discard that failed
// while the engine was down or restarting. After such a failure the next start, and
// stop(), remove every container labelled with this handle's id (`rebind.handle`) that is
// not a live instance: rebind's own label, never anyone else's container. On a local
// engine, also the containers of this handle that the engine forgot while its containerd
// still runs them (by the REBIND_OWNER env in their spec: containerd-orphans.ts).
import { isRebindError } from '@rebind/core';
import type { DockerConnection } from './connect-docker.js';
import { removeForgottenContainers } from './containerd-orphans.js';
import { asEngineError } from './engine-error.js';
import { removeContainer } from './launch-container.js';
import { labelKeys } from './session.js';

export class HandleContainers {
  readonly #live = new Set<string>();
  #dirty = false;

  constructor(
    readonly connection: DockerConnection,
    readonly handleId: string,
  ) {}

  started(id: string): void {
    this.#live.add(id);
  }

  removed(id: string): void {
    this.#live.delete(id);
  }

  /** `error` as REBIND_DOCKER_UNAVAILABLE when the engine stopped answering (then a sweep is due). */
  async failed(error: unknown, what: string): Promise<unknown> {
    const mapped = await asEngineError(error, this.connection, what);
    if (isRebindError(mapped, 'REBIND_DOCKER_UNAVAILABLE')) this.#dirty = true;
    return mapped;
  }

  /** After an engine failure: removes this handle's containers that are not live instances. */
  async sweep(): Promise<void> {
    if (!this.#dirty) return;
    try {
      const { docker } = this.connection;
      const listed = await docker.listContainers({
        all: true,
        filters: { label: [`${labelKeys.handle}=${this.handleId}`] },
      });
      await Promise.all(
        listed.filter((c) => !this.#live.has(c.Id)).map((c) => removeContainer(docker, c.Id)),
      );
      await removeForgottenContainers(this.connection, (owner) =>
        owner[labelKeys.handle] === this.handleId ? `of handle ${this.handleId}` : undefined,
      );
      this.#dirty = false;
    } catch (error) {
      throw await this.failed(error, `remove the containers it lost track of`);
    }
  }
}
