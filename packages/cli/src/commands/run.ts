import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import { createInterface } from 'node:readline';
import { invalidOption } from '@rebind/core/internal';
import type { Command, Io } from '../command.js';
import { explainFailure, formatExplained } from '../failure-report.js';
import { FailureScanner } from '../failure-scanner.js';
import { parseCommand } from '../parse-command.js';

const help = `Usage: rebind run -- <command ...>

Runs a server command and passes its output through. When the output shows a bind
failure (in any ecosystem \`rebind explain\` reads), prints on stderr who holds the port
right now and the fix, while the holder is still there. SIGINT and SIGTERM are forwarded
to the command; the exit code is the command's own (128 + signal if killed).`;

/** Watches one output stream of the child: passes it through, scans its lines. */
function watch(
  stream: NodeJS.ReadableStream,
  write: (text: string) => unknown,
  found: (failures: ReturnType<FailureScanner['flush']>) => void,
): Promise<void> {
  const scanner = new FailureScanner();
  stream.on('data', (chunk: Buffer) => write(chunk.toString('utf8')));
  const lines = createInterface({ input: stream, crlfDelay: Infinity });
  // a server that fails and keeps running prints nothing more: flush when it goes quiet
  let quiet: NodeJS.Timeout | undefined;
  lines.on('line', (line) => {
    found(scanner.push(line));
    clearTimeout(quiet);
    quiet = setTimeout(() => found(scanner.flush()), 300);
  });
  return new Promise((resolve) =>
    lines.once('close', () => {
      clearTimeout(quiet);
      found(scanner.flush());
      resolve();
    }),
  );
}

async function runWatched(command: readonly string[], io: Io): Promise<number> {
  const [file = '', ...args] = command;
  const child = spawn(file, args, { stdio: ['inherit', 'pipe', 'pipe'] });
  const forward = (signal: NodeJS.Signals) => () => child.kill(signal);
  const onInt = forward('SIGINT');
  const onTerm = forward('SIGTERM');
  process.on('SIGINT', onInt);
  process.on('SIGTERM', onTerm);
  const explained: Promise<void>[] = [];
  const report = (failures: Parameters<typeof explainFailure>[0][]) => {
    for (const failure of failures) {
      explained.push(
        explainFailure(failure).then((e) => {
          io.stderr.write(
            `rebind run: a bind failure in the output of ${file}\n${formatExplained(e)}`,
          );
        }),
      );
    }
  };
  try {
    const exit = new Promise<number>((resolve, reject) => {
      child.once('error', (error: NodeJS.ErrnoException) =>
        reject(
          error.code === 'ENOENT' ? invalidOption('command', 'a command on PATH', file) : error,
        ),
      );
      child.once('exit', (code, signal) =>
        resolve(code ?? 128 + (signal === null ? 0 : (constants.signals[signal] ?? 0))),
      );
    });
    const [code] = await Promise.all([
      exit,
      watch(child.stdout, (t) => io.stdout.write(t), report),
      watch(child.stderr, (t) => io.stderr.write(t), report),
    ]);
    await Promise.all(explained);
    return code;
  } finally {
    process.off('SIGINT', onInt);
    process.off('SIGTERM', onTerm);
  }
}

export const run: Command = {
  summary: 'run a server command; explain any bind failure in its output, live',
  async run(argv, io) {
    const { values, positionals, rest } = parseCommand('run', argv, {});
    if (values.help === true) {
      io.stdout.write(`${help}\n`);
      return 0;
    }
    if (positionals.length > 0 || rest.length === 0) {
      throw invalidOption(
        'run',
        'followed by -- and a command',
        [...positionals, ...rest].join(' '),
      );
    }
    return runWatched(rest, io);
  },
};
