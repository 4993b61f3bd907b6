// Who holds a host port the engine could not publish: a container of this engine (running,
// or exited/being removed while the engine still has the port), or a host process (a
// docker-proxy is traced back to its container).
import type Docker from 'dockerode';
import { hostProcessListeningOn } from './host-process.js';
import { ownershipOf } from './session.js';
import type { Ownership } from './session.js';

export type PortHolder =
  | {
      readonly kind: 'container';
      readonly id: string;
      readonly name: string;
      readonly image: string;
      readonly state: string;
      readonly ownership: Ownership;
      readonly labels: Readonly<Record<string, string>>;
    }
  | { readonly kind: 'process'; readonly pid: number; readonly command: string }
  | { readonly kind: 'unknown' };

function asContainer(info: Docker.ContainerInfo): PortHolder {
  return {
    kind: 'container',
    id: info.Id,
    name: (info.Names[0] ?? info.Id).replace(/^\//, ''),
    image: info.Image,
    state: info.State,
    ownership: ownershipOf(info.Labels),
    labels: info.Labels ?? {},
  };
}

export async function findPortHolder(
  docker: Docker,
  port: number,
  options: { readonly excludeId?: string; readonly engineIsLocal: boolean },
): Promise<PortHolder> {
  const all = (await docker.listContainers({ all: true })).filter(
    (c) => c.Id !== options.excludeId,
  );
  const running = all.find((c) => c.Ports.some((p) => p.PublicPort === port));
  if (running) return asContainer(running);
  // Not published by a running container: one that exited, died or is being removed may
  // still hold it in the engine's table.
  for (const c of all.filter((c) => c.State !== 'running' && c.State !== 'created')) {
    try {
      const info = await docker.getContainer(c.Id).inspect();
      const bindings = Object.values(info.HostConfig.PortBindings ?? {}) as
        { HostPort?: string }[][] | undefined;
      if (bindings?.some((list) => list?.some((b) => Number(b.HostPort) === port))) {
        return asContainer(c);
      }
    } catch {
      // removed meanwhile
    }
  }
  if (!options.engineIsLocal) return { kind: 'unknown' };
  const process = await hostProcessListeningOn(port);
  if (process === undefined) return { kind: 'unknown' };
  if (process.containerIp !== undefined) {
    const ip = process.containerIp;
    const behind = all.find((c) =>
      Object.values(c.NetworkSettings?.Networks ?? {}).some((n) => n.IPAddress === ip),
    );
    if (behind) return asContainer(behind);
  }
  return { kind: 'process', pid: process.pid, command: process.command };
}

/** "container web (id 3f2a1b4c5d6e, image rebind/nginx:test), started by this process" */
export function describeHolder(holder: PortHolder): string {
  switch (holder.kind) {
    case 'process':
      return `host process pid ${holder.pid} (${holder.command || 'command line unknown'})`;
    case 'unknown':
      return 'something rebind could not identify (no container of this engine publishes it and no host process visible from here listens on it)';
    case 'container': {
      const what = `container ${holder.name} (id ${holder.id.slice(0, 12)}, image ${holder.image}${holder.state === 'running' ? '' : `, ${holder.state}`})`;
      const o = holder.ownership;
      switch (o.kind) {
        case 'this-session':
          return `${what}, started by this process`;
        case 'live-session':
          return `${what}, started by rebind in another live process (pid ${o.pid})`;
        case 'dead-session':
          return `${what}, left behind by a rebind process that died (${o.why})`;
        case 'other-machine':
          return `${what}, started by rebind from another machine or pid namespace (pid ${o.pid} there)`;
        case 'foreign':
          return `${what}, not started by rebind`;
      }
    }
  }
}

/** The fix for a holder, for the end of a REBIND_PORT_IN_USE message. */
export function fixFor(holder: PortHolder, compose = false): string {
  const choose = compose
    ? "let rebind choose another port (onPortConflict: 'remap')"
    : "let rebind choose another port (onPortConflict: 'remap', or host port 'auto')";
  switch (holder.kind) {
    case 'process':
      return `Stop that process, or ${choose}.`;
    case 'unknown':
      return `Find the holder (ss -tlnp, docker ps), or ${choose}.`;
    case 'container':
      switch (holder.ownership.kind) {
        case 'this-session':
          return compose
            ? `Stop it first (await its stop()), or ${choose}.`
            : `Stop it first (await its stop()), wait for its removal (onPortConflict: 'wait'), or ${choose}.`;
        case 'dead-session':
          return `Remove it (removeStaleContainers(), or docker rm -f ${holder.name}), or ${choose}.`;
        case 'live-session':
        case 'other-machine':
        case 'foreign':
          return `Stop it if it is yours (docker rm -f ${holder.name}), or ${choose}.`;
      }
  }
}
