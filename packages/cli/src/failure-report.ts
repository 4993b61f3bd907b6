import { diagnoseBindFailure } from '@rebind/core';
import type { BindFailureCause, PortOwner, PortReport } from '@rebind/core';
import type { StreamFailure } from './failure-scanner.js';

/** What the text says went wrong, in words. */
export type TextCause = 'in-use' | 'permission' | 'not-available' | 'unknown';

/** One failure explained against this machine now: the JSON entry of `rebind explain`. */
export interface ExplainedFailure {
  readonly line: number;
  readonly text: string;
  readonly port: number | null;
  readonly host: string | null;
  readonly path: string | null;
  /** What the text says. */
  readonly cause: TextCause;
  readonly errno: string | null;
  /** What rebind found here now (null when the text names no port or path). */
  readonly diagnosis: BindFailureCause | null;
  /** rebind's explanation: the holder, the cause and the fix. */
  readonly explanation: string;
  /** One shell command to run next. */
  readonly fix: string;
  /** The processes (or containers) that hold the port on this machine right now. */
  readonly holders: readonly Holder[];
  readonly verdict: PortReport['verdict'] | null;
}

export interface Holder {
  readonly pid: number | null;
  readonly user: string | null;
  readonly commandLine: string | null;
  readonly container: { readonly name: string; readonly id: string; readonly image: string } | null;
}

const textCauses: Record<string, TextCause> = {
  EADDRINUSE: 'in-use',
  EACCES: 'permission',
  EADDRNOTAVAIL: 'not-available',
};

function holderOf(owner: PortOwner): Holder {
  return {
    pid: owner.pid ?? null,
    user: owner.user ?? null,
    commandLine: owner.known ? (owner.commandLine ?? owner.command ?? null) : null,
    container: owner.container
      ? { name: owner.container.name, id: owner.container.id, image: owner.container.image }
      : null,
  };
}

/** The next command to type, by cause: never a kill of a process that is not named. */
function shellFix(
  cause: BindFailureCause,
  port: number | undefined,
  path: string | undefined,
  holder: Holder | undefined,
): string {
  const pid = holder?.pid;
  switch (cause) {
    case 'container':
      return holder?.container ? `docker rm -f ${holder.container.name}` : `rebind who ${port}`;
    case 'another-process':
    case 'previous-instance':
    case 'inherited-child':
    case 'own-instance':
    case 'dual-stack':
    case 'reuseport-mismatch':
    case 'unix-socket-in-use':
      if (pid === undefined || pid === null)
        return port === undefined ? `ls -l ${path}` : `rebind who ${port}`;
      return port === undefined
        ? `kill ${pid}   # only if it is yours`
        : `kill ${pid}   # only if it is yours; then: rebind wait ${port} --free`;
    case 'unknown-owner':
      return `sudo rebind who ${port}`;
    case 'time-wait':
    case 'gone':
      return `rebind wait ${port} --free --timeout 60000`;
    case 'ephemeral-outgoing':
      return 'rebind port   # a port below the ephemeral range';
    case 'privileged-port':
      return `sudo setcap cap_net_bind_service=+ep "$(command -v <server>)"   # or a port from 1024 up: rebind port`;
    case 'excluded-port-range':
      return 'netsh int ipv4 show excludedportrange protocol=tcp';
    case 'address-not-available':
      return 'ip -brief address   # bind one of these, or 0.0.0.0';
    case 'stale-unix-socket':
      return `rm ${path}`;
    case 'bound-not-listening':
      return `lsof -nP -iTCP:${port}`;
  }
}

/** Explains one failure with the live state of its port (or path) on this machine. */
export async function explainFailure(failure: StreamFailure): Promise<ExplainedFailure> {
  const base = {
    line: failure.lineNumber,
    text: failure.text.trim(),
    port: failure.port ?? null,
    host: failure.host ?? null,
    path: failure.path ?? null,
    cause: failure.errno === undefined ? 'unknown' : (textCauses[failure.errno] ?? 'unknown'),
    errno: failure.errno ?? null,
  } as const;
  if (failure.port === undefined && failure.path === undefined) {
    return {
      ...base,
      diagnosis: null,
      explanation:
        'The message does not name the port (or socket path), so rebind cannot look at its holder.',
      fix: 'ss -ltnp   # every listening socket with its process; or find the port in the server configuration',
      holders: [],
      verdict: null,
    };
  }
  const error = await diagnoseBindFailure({
    ...(failure.port === undefined ? {} : { port: failure.port }),
    ...(failure.path === undefined ? {} : { path: failure.path }),
    ...(failure.host === undefined || failure.host === 'localhost' ? {} : { host: failure.host }),
    ...(failure.errno === undefined ? {} : { errno: failure.errno }),
    ...(failure.server === undefined ? {} : { server: failure.server }),
    message: failure.text,
  });
  const report = (error as unknown as { report?: PortReport }).report;
  const holders = (report?.owners ?? []).map(holderOf);
  const cause = error.details.cause as BindFailureCause;
  const main = error.details.holder as PortOwner | undefined;
  return {
    ...base,
    diagnosis: cause,
    explanation: error.message.split('\n')[0] ?? '',
    fix: shellFix(cause, failure.port, failure.path, main ? holderOf(main) : holders[0]),
    holders,
    verdict: report?.verdict ?? null,
  };
}

/** The human form: where, what the text says, who holds it now, the explanation, the fix. */
export function formatExplained(e: ExplainedFailure): string {
  const where =
    e.port !== null
      ? `port ${e.port}${e.host === null ? '' : ` on ${e.host}`}`
      : e.path !== null
        ? e.path
        : 'a port the message does not name';
  const held =
    e.holders.length === 0
      ? 'nothing holds it on this machine now'
      : e.holders
          .map((h) =>
            h.container
              ? `container ${h.container.name} (${h.container.id}, ${h.container.image})${h.pid === null ? '' : ` via pid ${h.pid}`}`
              : `pid ${h.pid ?? '?'}${h.user === null ? '' : ` (${h.user})`}: ${h.commandLine ?? 'owner unknown'}`,
          )
          .join('; ');
  return [
    `line ${e.line}: ${where}: ${e.cause}${e.errno === null ? '' : ` (${e.errno})`}`,
    `  ${e.text}`,
    `  holder now: ${held}`,
    `  ${e.explanation}`,
    `  fix: ${e.fix}`,
    '',
  ].join('\n');
}
