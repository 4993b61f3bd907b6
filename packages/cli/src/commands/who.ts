import { inspectPort } from '@rebind/core';
import { invalidOption } from '@rebind/core/internal';
import type { PortReport } from '@rebind/core';
import type { Command } from '../command.js';
import { parseCommand, usageError } from '../parse-command.js';
import { shellAdvice } from '../shell-advice.js';

const help = `Usage: rebind who <port> [--json] [--host <address>]

Who holds <port>, in what state, whether a server could bind it, and why not.
  --json            print the PortReport as JSON
  --host <address>  the address a server would bind (default: both wildcards)`;

function endpoint(address: string, port: number): string {
  return address.includes(':') ? `[${address}]:${port}` : `${address}:${port}`;
}

function table(rows: string[][]): string {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? [];
  return rows
    .map((r) =>
      r
        .map((c, i) => c.padEnd(widths[i] ?? 0))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

/** The human form of a report: sockets, owners, bindability, the explanation. */
export function formatReport(report: PortReport): string {
  const lines: string[] = [];
  if (report.sockets.length > 0) {
    lines.push(
      table([
        ['STATE', 'LOCAL', 'REMOTE', 'PID', 'UID'],
        ...report.sockets.map((s) => [
          s.state,
          endpoint(s.localAddress, s.localPort),
          s.remotePort === 0 ? '*' : endpoint(s.remoteAddress, s.remotePort),
          s.pid === undefined ? '-' : String(s.pid),
          s.uid === undefined ? '-' : String(s.uid),
        ]),
      ]),
      '',
    );
  } else lines.push(`No TCP socket uses port ${report.port}.`, '');
  if (report.owners.length > 0) {
    lines.push(
      table([
        ['PID', 'USER', 'COMMAND'],
        ...report.owners.map((o) => [
          o.pid === undefined ? '?' : String(o.pid),
          o.user ?? (o.uid === undefined ? '?' : String(o.uid)),
          (o.known ? (o.commandLine ?? '') : 'owner unknown (not permitted to see)') +
            (o.container
              ? `  [container ${o.container.name} ${o.container.id} ${o.container.image}]`
              : ''),
        ]),
      ]),
      '',
    );
  }
  const yes = (b: boolean) => (b ? 'yes' : 'no');
  lines.push(
    `bindable: with SO_REUSEADDR ${yes(report.bindable.reuseAddr)}, without ${yes(report.bindable.plain)}`,
    `verdict: ${report.verdict}`,
    '',
    shellAdvice(report.explanation),
  );
  return `${lines.join('\n')}\n`;
}

export function parsePortArgument(value: string | undefined): number {
  const port = value !== undefined && /^\d+$/.test(value) ? Number(value) : value;
  if (typeof port !== 'number' || port < 1 || port > 65535) {
    throw invalidOption('port', 'an integer from 1 to 65535', value);
  }
  return port;
}

export const who: Command = {
  summary: 'who holds a port, in what state, and why a server cannot bind it',
  async run(argv, io) {
    const { values, positionals } = parseCommand('who', argv, {
      json: { type: 'boolean' },
      host: { type: 'string' },
    });
    if (values.help === true) {
      io.stdout.write(`${help}\n`);
      return 0;
    }
    const json = values.json === true;
    const host = values.host as string | undefined;
    if (positionals[0] === undefined) throw usageError('missing the <port> argument.', help);
    const port = parsePortArgument(positionals[0]);
    const report = await inspectPort(port, host === undefined ? {} : { host });
    io.stdout.write(json ? `${JSON.stringify(report, null, 2)}\n` : formatReport(report));
    return 0;
  },
};
