import { invalidOption, isRebindError, waitForPort } from '@rebind/core';
import type { Command } from '../command.js';
import { parsePortArgument } from './who.js';

const help = `Usage: rebind wait <port> --free|--listening [--pid N] [--timeout ms] [--host <address>]

Exits 0 as soon as <port> is free (or listening), 1 with the explanation on timeout.
  --free            wait until a server could bind the port (nothing listens on it)
  --listening       wait until something listens on it
  --pid N           with --listening: the listener must be pid N or one of its descendants
  --timeout ms      give up after this many milliseconds (default 10000)
  --host <address>  the address the server binds (default: any)`;

function integer(name: string, value: string | undefined, min: number): number {
  const n = value !== undefined && /^\d+$/.test(value) ? Number(value) : Number.NaN;
  if (!Number.isInteger(n) || n < min) throw invalidOption(name, `an integer >= ${min}`, value);
  return n;
}

export const wait: Command = {
  summary: 'wait until a port is free or listening',
  async run(argv, io) {
    let until: 'free' | 'listening' | undefined;
    let pid: number | undefined;
    let timeout = 10_000;
    let host: string | undefined;
    const positional: string[] = [];
    for (let i = 0; i < argv.length; i++) {
      const arg = argv[i] as string;
      if (arg === '--help' || arg === '-h') {
        io.stdout.write(`${help}\n`);
        return 0;
      } else if (arg === '--free' || arg === '--listening') {
        const next = arg === '--free' ? 'free' : 'listening';
        if (until !== undefined && until !== next) {
          throw invalidOption('until', 'one of --free or --listening, not both', argv);
        }
        until = next;
      } else if (arg === '--pid') pid = integer('pid', argv[++i], 1);
      else if (arg === '--timeout') timeout = integer('timeout', argv[++i], 0);
      else if (arg === '--host') host = argv[++i];
      else if (arg.startsWith('--')) {
        throw invalidOption('wait', 'one of --free, --listening, --pid, --timeout, --host', arg);
      } else positional.push(arg);
    }
    const port = parsePortArgument(positional[0]);
    if (until === undefined) throw invalidOption('until', '--free or --listening', undefined);
    try {
      await waitForPort(port, {
        until,
        timeout,
        ...(pid === undefined ? {} : { pid }),
        ...(host === undefined ? {} : { host }),
      });
      return 0;
    } catch (error) {
      if (isRebindError(error, 'REBIND_WAIT_TIMEOUT')) {
        io.stderr.write(`rebind wait: ${error.message}\n`);
        return 1;
      }
      throw error;
    }
  },
};
