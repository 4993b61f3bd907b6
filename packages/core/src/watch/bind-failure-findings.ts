import type { PortOwner } from './port-report.js';

/** Why a bind failed. */
export type BindFailureCause =
  | 'another-process'
  | 'unknown-owner'
  | 'previous-instance'
  | 'inherited-child'
  | 'own-instance'
  | 'container'
  | 'dual-stack'
  | 'reuseport-mismatch'
  | 'time-wait'
  | 'ephemeral-outgoing'
  | 'stale-unix-socket'
  | 'unix-socket-in-use'
  | 'privileged-port'
  | 'excluded-port-range'
  | 'address-not-available'
  | 'bound-not-listening'
  | 'gone';

/** A diagnosis: the cause, its sentence, the fix in shell terms, and the holder if any. */
export interface Finding {
  readonly cause: BindFailureCause;
  readonly text: string;
  readonly fix: string;
  readonly holder?: PortOwner;
}

const auto = "or let rebind choose a port (port: 'auto')";

export function privilegedFinding(port: number, unprivilegedPortStart: number): Finding {
  const start = unprivilegedPortStart || 1024;
  return {
    cause: 'privileged-port',
    text: `port ${port} is below ${Math.max(unprivilegedPortStart, 1024)}, which only root or a process with CAP_NET_BIND_SERVICE may bind`,
    fix: `Use a port from ${start} up, ${auto}, or grant the capability (setcap cap_net_bind_service=+ep <binary>).`,
  };
}

/**
 * EACCES where no privilege guards the port, and nothing listens on it here: Windows'
 * 10013 ("forbidden by its access permissions") means an excluded range or an exclusive
 * holder far more often than a missing right; on Linux, a security policy refused it.
 */
export function excludedRangeFinding(port: number, windows: boolean): Finding {
  const said = windows
    ? 'Windows refused the bind with WSAEACCES (10013, "forbidden by its access permissions")'
    : 'the system refused the bind with EACCES';
  return {
    cause: 'excluded-port-range',
    text: `${said} although port ${port} needs no privilege, and nothing listens on it here: on Windows, the port lies in a range reserved by Hyper-V, WSL or Docker (\`netsh int ipv4 show excludedportrange protocol=tcp\` lists them) or another process holds it with exclusive access (\`netstat -ano | findstr :${port}\`); on Linux, a security policy refused it (SELinux: \`semanage port -l | grep ${port}\`)`,
    fix: `Choose a port outside the excluded ranges, ${auto}; on Windows, release dynamic reservations as administrator (\`net stop winnat\` then \`net start winnat\`) or reserve the port for yourself (\`netsh int ipv4 add excludedportrange protocol=tcp startport=${port} numberofports=1\`).`,
  };
}

export function notAvailableFinding(host: string | undefined): Finding {
  const what = host === undefined ? 'the address the server asked for' : host;
  const v6 = host?.includes(':') === true ? ' (or IPv6 is disabled here)' : '';
  return {
    cause: 'address-not-available',
    text: `${what} is not an address of this machine${v6}, so no server can bind it (EADDRNOTAVAIL)`,
    fix: 'Bind 0.0.0.0 or :: (every address), 127.0.0.1, or an address that `ip -brief address` lists; in a container, bind 0.0.0.0 and publish the port.',
  };
}
