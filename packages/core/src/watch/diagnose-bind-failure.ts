import {
  excludedRangeFinding,
  notAvailableFinding,
  privilegedFinding,
} from './bind-failure-findings.js';
import type { Finding } from './bind-failure-findings.js';

export type { BindFailureCause } from './bind-failure-findings.js';
import { RebindError } from '../errors.js';
import { conflicts, describeOwner, endpoint, ownerOf } from './explain.js';
import { inspectWith, validateHost } from './inspect-port.js';
import { loadBackend } from './platform/index.js';
import type { PortOwner, PortReport, PortSocket } from './port-report.js';
import { reusePortProbe } from '../net/probe.js';
import { parseBindFailureMessage } from './parse-bind-failure.js';
import { unixSocketState } from './unix-socket.js';
import { invalidOption, validatePort } from '../validate.js';

export interface DiagnoseBindFailureOptions {
  /** The TCP port that failed; read from `message` when omitted. */
  readonly port?: number;
  /** The address the server tried to bind; read from `message` when omitted. */
  readonly host?: string;
  /** The raw failure text: Node's EADDRINUSE, nginx's `[emerg] bind() ...`, Docker's error. */
  readonly message?: string;
  /** The errno the bind failed with, when `message` does not say it. */
  readonly errno?: 'EADDRINUSE' | 'EACCES' | 'EADDRNOTAVAIL';
  /** A unix socket path that failed to bind (read from `message` when it names one). */
  readonly path?: string;
  /** Pids of the caller's current instance tree. */
  readonly ownPids?: readonly number[];
  /** Pids of the caller's previous instance tree, its main process first. */
  readonly previousPids?: readonly number[];
  /** Whether the failing server sets SO_REUSEADDR (Node, nginx, Docker do). */
  readonly reuseAddr?: boolean;
  /** Whether the failing server set SO_REUSEPORT; given, the holder's side is probed. */
  readonly reusePort?: boolean;
  /** What failed, for the message. @default 'The server' */
  readonly server?: string;
  /** @default process.platform */
  readonly platform?: string;
}

const auto = "or let rebind choose a port (port: 'auto')";

/**
 * Builds the `REBIND_PORT_IN_USE` error for a failed bind: it names the holder (pid and
 * command line, or container name and id), the cause and the fix. Never suggests killing
 * a holder that is not the caller's.
 */
export async function diagnoseBindFailure(
  options: DiagnoseBindFailureOptions,
): Promise<RebindError> {
  if (typeof options !== 'object' || options === null) {
    throw invalidOption('options', 'an object such as `{ port: 8080 }`', options);
  }
  const parsed = parseBindFailureMessage(options.message ?? '');
  const errno = options.errno ?? parsed.errno;
  if (errno !== undefined && !['EADDRINUSE', 'EACCES', 'EADDRNOTAVAIL'].includes(errno)) {
    throw invalidOption('errno', 'one of EADDRINUSE, EACCES, EADDRNOTAVAIL', errno);
  }
  const path = options.path ?? parsed.path;
  const port = options.port ?? parsed.port;
  if (port !== undefined) validatePort(port);
  if (port === undefined && path === undefined) {
    throw invalidOption(
      'port',
      'an integer from 1 to 65535 (or a `message` naming the port)',
      options.port,
    );
  }
  const host = validateHost(
    options.host ?? (parsed.host === 'localhost' ? '127.0.0.1' : parsed.host),
  );
  const server = options.server ?? parsed.server ?? 'The server';
  const reuseAddr = options.reuseAddr ?? parsed.reuseAddr;
  let finding: Finding;
  let report: PortReport | undefined;
  let where: string;
  if (path !== undefined) {
    where = path;
    finding = await unixFinding(path);
  } else {
    const p = port as number;
    where = endpoint(host ?? '0.0.0.0', p);
    const backend = await loadBackend(options.platform);
    report = await inspectWith(backend, p, { host, owners: true, docker: true });
    const facts = backend.facts();
    finding = await tcpFinding(
      report,
      {
        ...options,
        host,
        reuseAddr,
        errno,
        docker: parsed.docker,
        windows: parsed.windows === true,
      },
      facts,
    );
  }
  const raw = options.message ? `\n    ${options.message.trim().split('\n').join('\n    ')}` : '';
  return new RebindError(
    'REBIND_PORT_IN_USE',
    `${server} could not bind ${where}: ${finding.text}. ${finding.fix}${raw}`,
    {
      details: {
        port,
        host,
        path,
        cause: finding.cause,
        holder: finding.holder
          ? {
              pid: finding.holder.pid,
              commandLine: finding.holder.commandLine,
              uid: finding.holder.uid,
              container: finding.holder.container,
            }
          : undefined,
      },
      attachments: { report },
    },
  );
}

async function unixFinding(path: string): Promise<Finding> {
  const state = await unixSocketState(path);
  if (state.state === 'listening') {
    const who = state.owner ? describeOwner(state.owner) : 'a process rebind could not name';
    return {
      cause: 'unix-socket-in-use',
      text: `${who} listens on that unix socket`,
      fix: 'Stop it if it is yours, or use another socket path.',
      ...(state.owner ? { holder: state.owner } : {}),
    };
  }
  if (state.state === 'stale') {
    return {
      cause: 'stale-unix-socket',
      text: 'the socket file is left over from a server that is gone (nothing accepts on it)',
      fix: `Remove the file before binding (rm ${path}); rebind removes its own stale sockets.`,
    };
  }
  return {
    cause: 'gone',
    text: 'nothing is at that path any more',
    fix: 'Retry the bind; if it keeps failing, check the directory exists and is writable.',
  };
}

async function tcpFinding(
  report: PortReport,
  o: DiagnoseBindFailureOptions & {
    errno?: string;
    docker?: 'allocated' | 'proxy';
    windows?: boolean;
  },
  facts: { unprivilegedPortStart: number; ephemeralRange?: readonly [number, number] },
): Promise<Finding> {
  const { port } = report;
  const host = o.host;
  if (o.errno === 'EADDRNOTAVAIL') return notAvailableFinding(host);
  const relevant = report.sockets.filter((s) => conflicts(s, host));
  const listeners = relevant.filter((s) => s.state === 'LISTEN');
  const refusedHere = report.bindable.probes.some((p) => p.result === 'EACCES');
  if (refusedHere || (o.errno === 'EACCES' && !o.windows && port < 1024)) {
    return privilegedFinding(port, facts.unprivilegedPortStart);
  }
  if (listeners.length > 0) return listenerFinding(report, listeners, o);
  if (o.errno === 'EACCES') return excludedRangeFinding(port, o.windows === true);
  const outgoing = relevant.filter((s) => s.remotePort !== 0 && s.state !== 'TIME_WAIT');
  if (outgoing.length > 0) {
    const s = outgoing[0] as PortSocket;
    const holder = ownerOf(s, report.owners);
    const range = facts.ephemeralRange;
    const inside = range !== undefined && port >= range[0] && port <= range[1];
    return {
      cause: 'ephemeral-outgoing',
      text: `${holder ? describeOwner(holder) : 'a process rebind could not name'} uses it as the local port of an outgoing connection to ${endpoint(s.remoteAddress, s.remotePort)} (${s.state})${inside ? `; port ${port} lies inside the ephemeral range ${range[0]}-${range[1]}, from which the kernel picks the local ports of outgoing connections` : ''}`,
      fix: inside
        ? `Use server ports below ${range[0]}, ${auto}, which allocates below the ephemeral range.`
        : `Wait for that connection to close, ${auto}.`,
      ...(holder ? { holder } : {}),
    };
  }
  const timeWait = relevant.filter((s) => s.state === 'TIME_WAIT');
  if (timeWait.length > 0 && report.bindable.reuseAddr && o.reuseAddr !== true) {
    return {
      cause: 'time-wait',
      text: `no process holds it: only ${timeWait.length} connection${timeWait.length === 1 ? '' : 's'} in TIME_WAIT remain${timeWait.length === 1 ? 's' : ''}, and this server does not set SO_REUSEADDR`,
      fix: 'Set SO_REUSEADDR before bind() (Python: allow_reuse_address = True; Node, nginx, Go and Java already do), or wait for TIME_WAIT to end (60 s on Linux).',
    };
  }
  if (!report.bindable.reuseAddr) {
    return {
      cause: 'bound-not-listening',
      text: 'a socket is bound to it without listening, which shows in no socket table (only a bind probe finds it)',
      fix: `Find the process with \`lsof -nP -iTCP:${port}\` and stop it if it is yours, ${auto}.`,
    };
  }
  return {
    cause: 'gone',
    text: 'nothing holds it any more: the holder went away before rebind looked (typically a previous instance still shutting down)',
    fix: `Wait until the port is free before binding (waitForPort(${port}, { until: 'free' })), ${auto}.`,
  };
}

async function listenerFinding(
  report: PortReport,
  listeners: readonly PortSocket[],
  o: DiagnoseBindFailureOptions & { docker?: 'allocated' | 'proxy' },
): Promise<Finding> {
  const { port } = report;
  const at = [...new Set(listeners.map((s) => endpoint(s.localAddress, port)))].join(', ');
  const holdersOf = (s: PortSocket) => {
    const pids = s.pid === undefined ? [] : report.owners.filter((w) => w.pid === s.pid);
    return pids.length > 0 ? pids : [ownerOf(s, report.owners)].filter((w): w is PortOwner => !!w);
  };
  const owners = listeners.flatMap(holdersOf);
  const owner = owners[0];
  const who = owner ? describeOwner(owner) : 'a process rebind could not name';
  const container = owners.find((w) => w.container || w.proxy);
  if (container) {
    const name = container.container?.name;
    return {
      cause: 'container',
      text: `${describeOwner(container)} publishes it (listening on ${at})`,
      fix: name
        ? `Remove that container if it is yours (docker rm -f ${name}), or publish another host port ("0:80" picks a free one).`
        : 'Remove that container if it is yours, or publish another host port.',
      holder: container,
    };
  }
  if (o.reusePort !== undefined && owner?.known) {
    const listener = listeners[0] as PortSocket;
    const holderHas = await reusePortProbe(listener.localAddress, port);
    if (holderHas !== undefined && holderHas !== o.reusePort) {
      return {
        cause: 'reuseport-mismatch',
        text: holderHas
          ? `${who} listens on ${at} with SO_REUSEPORT, but this server did not set SO_REUSEPORT`
          : `${who} listens on ${at} without SO_REUSEPORT, so this server's SO_REUSEPORT cannot share it`,
        fix: 'Two listeners share a port only when both set SO_REUSEPORT, as the same user: set it on both sides, or stop the other listener if it is yours.',
        holder: owner,
      };
    }
  }
  const previous = o.previousPids ?? [];
  const own = o.ownPids ?? [];
  const fromPrevious = owners.find((w) => w.pid !== undefined && previous.includes(w.pid));
  if (fromPrevious) {
    const main = previous[0];
    if (fromPrevious.pid === main) {
      return {
        cause: 'previous-instance',
        text: `the previous instance, ${describeOwner(fromPrevious)}, still listens on ${at}`,
        fix: `Stop it and wait until the port is free before starting the new one (waitForPort(${port}, { until: 'free' })), or restart on a fresh port.`,
        holder: fromPrevious,
      };
    }
    return {
      cause: 'inherited-child',
      text: `${describeOwner(fromPrevious)}, a child of the previous instance (pid ${main}) that inherited its listening socket, still listens on ${at}`,
      fix: "Stop the previous instance's whole process group, not only its main process (children keep inherited sockets open), then wait until the port is free.",
      holder: fromPrevious,
    };
  }
  const fromOwn = owners.find((w) => w.pid !== undefined && own.includes(w.pid));
  if (fromOwn) {
    return {
      cause: 'own-instance',
      text: `the current instance itself, ${describeOwner(fromOwn)}, already listens on ${at}`,
      fix: 'It was started twice, or binds the same port in two places: bind each port once.',
      holder: fromOwn,
    };
  }
  const host = o.host;
  if (
    host !== undefined &&
    !host.includes(':') &&
    listeners.every((s) => s.family === 6 && s.localAddress === '::' && s.v6Only !== true)
  ) {
    return {
      cause: 'dual-stack',
      text: `${who} listens on [::]:${port} dual-stack, which also holds ${endpoint(host, port)}`,
      fix: 'Bind both servers in the same family, make the [::] listener IPv6-only (ipv6Only: true, IPV6_V6ONLY), or use another port.',
      ...(owner ? { holder: owner } : {}),
    };
  }
  if (owner && !owner.known) {
    return {
      cause: 'unknown-owner',
      text: `${who} listens on ${at}`,
      fix: `Run the check as root or as that user to name the process, ${auto}.`,
      holder: owner,
    };
  }
  return {
    cause: 'another-process',
    text: `another process, ${who}, listens on ${at}`,
    fix: `Stop that process if it is yours, ${auto}.`,
    ...(owner ? { holder: owner } : {}),
  };
}
