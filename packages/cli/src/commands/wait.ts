import { RebindError, isRebindError, waitForPort } from '@rebind/core';
import { invalidOption } from '@rebind/core/internal';
import type { Command } from '../command.js';
import { parseCommand, usageError } from '../parse-command.js';
import { shellAdvice } from '../shell-advice.js';
import { parsePortArgument } from './who.js';

const help = `Usage: rebind wait <port> --free|--listening [--pid N] [--timeout ms] [--host <address>]

Exits 0 as soon as <port> is free (or listening), 1 with the explanation on timeout.
  --free            wait until a server could bind the port (nothing listens on it)
  --listening       wait until something listens on it
  --pid N           with --listening: the listener must be pid N or one of its descendants
  --timeout ms      give up after this many milliseconds (default 10000)
  --host <address>  the address the server binds (default: any)`;

function integer(name: string, value: unknown, min: number): number {
  const n = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : Number.NaN;
  if (!Number.isInteger(n) || n < min) throw invalidOption(name, `an integer >= ${min}`, value);
  return n;
}

/** Whether `pid` exists (EPERM: it does, as another user's). */
function running(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export const wait: Command = {
  summary: 'wait until a port is free or listening',
  async run(argv, io) {
    const { values, positionals } = parseCommand('wait', argv, {
      free: { type: 'boolean' },
      listening: { type: 'boolean' },
      pid: { type: 'string' },
      timeout: { type: 'string' },
      host: { type: 'string' },
    });
    if (values.help === true) {
      io.stdout.write(`${help}\n`);
      return 0;
    }
    if (values.free === true && values.listening === true) {
      throw invalidOption('until', 'one of --free or --listening, not both', argv);
    }
    const until =
      values.free === true ? 'free' : values.listening === true ? 'listening' : undefined;
    const pid = values.pid === undefined ? undefined : integer('pid', values.pid, 1);
    const timeout = values.timeout === undefined ? 10_000 : integer('timeout', values.timeout, 0);
    const host = values.host as string | undefined;
    if (positionals[0] === undefined) throw usageError('missing the <port> argument.', help);
    const port = parsePortArgument(positionals[0]);
    if (until === undefined) throw usageError('missing --free or --listening.', help);
    if (pid !== undefined && !running(pid))
      throw new RebindError(
        'REBIND_PROCESS_EXITED',
        `pid ${pid} is not running, so no listener of it can appear on port ${port}. Start the server first and pass its pid (in a shell: \`./server & rebind wait ${port} --listening --pid $!\`).`,
        { details: { pid, port } },
      );
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
        io.stderr.write(`rebind wait: ${shellAdvice(error.message)}\n`);
        return 1;
      }
      throw error;
    }
  },
};
