import { createReadStream } from 'node:fs';
import { access } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { invalidOption } from '@rebind/core/internal';
import type { Command } from '../command.js';
import { explainFailure, formatExplained } from '../failure-report.js';
import type { ExplainedFailure } from '../failure-report.js';
import { FailureScanner } from '../failure-scanner.js';
import type { StreamFailure } from '../failure-scanner.js';
import { parseCommand } from '../parse-command.js';

const help = `Usage: rebind explain [FILE] [--json]

Finds every bind failure in a pasted message or a whole log (FILE, or stdin when FILE is
absent or -): Node, nginx, Docker, podman, Go, Java, .NET, Python, Ruby, Rust, PHP,
Erlang, Apache, redis, postgres, mysql, haproxy, caddy, kubectl, sshd, and Windows'
messages. For each: the port, the cause, who holds the port on this machine now (pid and
command line, or container), and the fix.
  --json   print an array, one entry per failure

Exit code: 0 when at least one failure was found, 1 when none, 2 on bad usage.`;

/** Reads `input` line by line, explaining each failure as soon as it is certain. */
export async function explainStream(
  input: NodeJS.ReadableStream,
  onFailure: (failure: StreamFailure) => void,
): Promise<void> {
  const scanner = new FailureScanner();
  const lines = createInterface({ input, crlfDelay: Infinity });
  for await (const line of lines) for (const f of scanner.push(line)) onFailure(f);
  for (const f of scanner.flush()) onFailure(f);
}

export const explain: Command = {
  summary: 'explain every bind failure of a message or log: port, cause, live holder, fix',
  async run(argv, io) {
    const { values, positionals } = parseCommand('explain', argv, { json: { type: 'boolean' } });
    if (values.help === true) {
      io.stdout.write(`${help}\n`);
      return 0;
    }
    if (positionals.length > 1) {
      throw invalidOption('explain', 'at most one FILE (or - for stdin)', positionals.join(' '));
    }
    const file = positionals[0];
    let input: NodeJS.ReadableStream = process.stdin;
    if (file !== undefined && file !== '-') {
      await access(file).catch(() => {
        throw invalidOption('FILE', 'a readable file (or - for stdin)', file);
      });
      input = createReadStream(file);
    }
    const json = values.json === true;
    const pending: Promise<ExplainedFailure>[] = [];
    let printed = Promise.resolve();
    await explainStream(input, (failure) => {
      const explained = explainFailure(failure);
      pending.push(explained);
      if (!json) {
        printed = printed.then(async () => void io.stdout.write(formatExplained(await explained)));
      }
    });
    const all = await Promise.all(pending);
    await printed;
    if (json) io.stdout.write(`${JSON.stringify(all, null, 2)}\n`);
    else if (all.length === 0) io.stderr.write('rebind explain: no bind failure found.\n');
    return all.length > 0 ? 0 : 1;
  },
};
