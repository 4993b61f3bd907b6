import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import { allocatePorts, type AllocatePortOptions, type PortLease } from '@rebind/core';
import { invalidOption } from '@rebind/core/internal';
import type { Command, Io } from '../command.js';
import { parseCommand, usageError } from '../parse-command.js';

const help = `Usage: rebind port [--count N] [--json] [--host <address>] [--range <low>-<high>]
       rebind port --hold [--count N] [--host <address>] [--range <low>-<high>] -- <command ...>

Prints free TCP ports, one per line (--json: a JSON array). A printed port is NOT held
once this command exits: another process may take it. With --hold, runs <command> with
PORT (the first port) and PORT_1..PORT_N (every port) set, holding the ports until the
command exits; SIGINT and SIGTERM are forwarded to it, and its exit code is returned.
  --count N               how many ports (default 1)
  --json                  print a JSON array
  --host <address>        the address the server binds (default: every address)
  --range <low>-<high>    where to take ports from (default: below the ephemeral range)
  --hold                  hold the ports while <command> runs`;

const holdUsage =
  'Usage: rebind port --hold [--count N] [--host <address>] [--range <low>-<high>] -- <command ...>';

/**
 * `--hold` without `--`: port's own options come first, the command is the rest. The error
 * shows the line to run instead.
 */
function holdWithoutSeparator(argv: readonly string[]): Error {
  let i = 0;
  while (i < argv.length) {
    const arg = argv[i] as string;
    if (['--count', '--host', '--range'].includes(arg)) i += 2;
    else if (/^--(count|host|range)=/.test(arg) || arg === '--json' || arg === '--hold') i += 1;
    else break;
  }
  const own = argv.slice(0, i).join(' ');
  const command = argv.slice(i).join(' ');
  return usageError(
    command === ''
      ? '--hold needs the command to run, after `--`.'
      : `--hold runs the command given after \`--\`. Run: rebind port ${own} -- ${command}`,
    holdUsage,
  );
}

interface Parsed {
  count: number;
  json: boolean;
  hold: boolean;
  options: AllocatePortOptions;
  command: string[];
}

function parse(argv: readonly string[]): Parsed | 'help' {
  if (argv.includes('--hold') && !argv.includes('--') && !argv.includes('--help'))
    throw holdWithoutSeparator(argv);
  const { values, positionals, rest } = parseCommand('port', argv, {
    count: { type: 'string' },
    json: { type: 'boolean' },
    host: { type: 'string' },
    range: { type: 'string' },
    hold: { type: 'boolean' },
  });
  if (values.help === true) return 'help';
  if (positionals.length > 0)
    throw invalidOption(
      'port',
      'one of --count, --json, --host, --range, --hold, --',
      positionals[0],
    );
  const parsed: Parsed = {
    count: 1,
    json: values.json === true,
    hold: values.hold === true,
    options: {},
    command: [...rest],
  };
  const { count, host, range } = values;
  if (count !== undefined) {
    parsed.count = typeof count === 'string' && /^\d+$/.test(count) ? Number(count) : Number.NaN;
    if (!(parsed.count >= 1)) throw invalidOption('count', 'an integer >= 1', count);
  }
  if (host !== undefined) parsed.options = { ...parsed.options, host: host as string };
  if (range !== undefined) {
    const match = /^(\d+)-(\d+)$/.exec(range as string);
    if (!match) throw invalidOption('range', 'two port numbers as <low>-<high>', range);
    parsed.options = { ...parsed.options, range: [Number(match[1]), Number(match[2])] };
  }
  if (parsed.hold && parsed.command.length === 0)
    throw usageError('--hold needs the command to run, after `--`.', holdUsage);
  if (!parsed.hold && parsed.command.length > 0) {
    throw invalidOption('command', 'given only with --hold', parsed.command.join(' '));
  }
  return parsed;
}

function portEnv(leases: readonly PortLease[]): Record<string, string> {
  const env: Record<string, string> = { PORT: String(leases[0]?.port) };
  leases.forEach((lease, i) => (env[`PORT_${i + 1}`] = String(lease.port)));
  return env;
}

/** Runs `command` with the ports in its environment; resolves to its exit code. */
function runHolding(command: string[], leases: readonly PortLease[], io: Io): Promise<number> {
  const [file, ...args] = command as [string, ...string[]];
  const child = spawn(file, args, {
    stdio: 'inherit',
    env: { ...process.env, ...portEnv(leases) },
  });
  const forward = (signal: NodeJS.Signals) => () => child.kill(signal);
  const onInt = forward('SIGINT');
  const onTerm = forward('SIGTERM');
  process.on('SIGINT', onInt);
  process.on('SIGTERM', onTerm);
  return new Promise<number>((resolve) => {
    const done = (code: number) => {
      process.off('SIGINT', onInt);
      process.off('SIGTERM', onTerm);
      resolve(code);
    };
    child.once('error', (error) => {
      io.stderr.write(`rebind port: could not start \`${file}\`: ${error.message}\n`);
      done(127);
    });
    child.once('exit', (code, signal) => {
      done(code ?? 128 + (signal === null ? 0 : (constants.signals[signal] ?? 0)));
    });
  });
}

export const port: Command = {
  summary: 'print free ports, or hold them while a command runs',
  async run(argv, io) {
    const parsed = parse(argv);
    if (parsed === 'help') {
      io.stdout.write(`${help}\n`);
      return 0;
    }
    const leases = await allocatePorts(parsed.count, parsed.options);
    try {
      if (parsed.hold) return await runHolding(parsed.command, leases, io);
      const ports = leases.map((lease) => lease.port);
      io.stdout.write(parsed.json ? `${JSON.stringify(ports)}\n` : `${ports.join('\n')}\n`);
      const these = ports.length > 1 ? ['these ports are', 'them'] : ['this port is', 'it'];
      io.stderr.write(
        `rebind port: ${these[0]} not held once this command exits; another process may take ${these[1]}. ` +
          'To hold ports, run `rebind port --hold -- <command ...>`.\n',
      );
      return 0;
    } finally {
      await Promise.all(leases.map((lease) => lease.release()));
    }
  },
};
