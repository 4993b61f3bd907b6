// The host process listening on a TCP port, through the watcher of @rebind/core
// (inspectPort): its pid and command line, and for a docker-proxy the container address
// it forwards to.
import { inspectPort } from '@rebind/core';

export interface HostProcess {
  readonly pid: number;
  readonly command: string;
  /** For a docker-proxy: the container address it forwards to. */
  readonly containerIp?: string;
}

export async function hostProcessListeningOn(port: number): Promise<HostProcess | undefined> {
  const report = await inspectPort(port, { docker: false });
  const pids = new Set(report.sockets.filter((s) => s.state === 'LISTEN').map((s) => s.pid));
  const owner = report.owners.find((o) => o.pid !== undefined && pids.has(o.pid));
  if (owner?.pid === undefined) return undefined;
  return {
    pid: owner.pid,
    command: owner.commandLine ?? owner.command ?? '',
    ...(owner.proxy === undefined ? {} : { containerIp: owner.proxy.containerIp }),
  };
}
