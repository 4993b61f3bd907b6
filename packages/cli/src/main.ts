import { isRebindError } from '@rebind/core';
import type { Command, Io } from './command.js';

/**
 * The `rebind` command's dispatch table. Each command lives in `commands/<name>.ts`
 * and exports a {@link Command}.
 */
const commands: Record<string, () => Promise<Command>> = {
  port: () => import('./commands/port.js').then((m) => m.port),
  who: () => import('./commands/who.js').then((m) => m.who),
  wait: () => import('./commands/wait.js').then((m) => m.wait),
  explain: () => import('./commands/explain.js').then((m) => m.explain),
  run: () => import('./commands/run.js').then((m) => m.run),
};

async function usage(): Promise<string> {
  const names = Object.keys(commands).sort();
  const width = Math.max(...names.map((n) => n.length));
  const lines = await Promise.all(
    names.map(
      async (n) =>
        `  ${n.padEnd(width)}  ${(await (commands[n] as () => Promise<Command>)()).summary}`,
    ),
  );
  return [
    'Usage: rebind <command> [options]',
    '',
    'Commands:',
    ...lines,
    '',
    'Run `rebind <command> --help` for the options of one command.',
  ].join('\n');
}

/** Runs the CLI with `argv` (without node and the script) and returns the exit code. */
export async function main(argv: readonly string[], io: Io): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.stdout.write(`${await usage()}\n`);
    return name === undefined ? 2 : 0;
  }
  if (name === '--version' || name === '-v') {
    const { createRequire } = await import('node:module');
    const pkg = createRequire(import.meta.url)('../package.json') as { version: string };
    io.stdout.write(`${pkg.version}\n`);
    return 0;
  }
  const load = commands[name];
  if (load === undefined) {
    io.stderr.write(`rebind: unknown command \`${name}\`.\n\n${await usage()}\n`);
    return 2;
  }
  const command = await load();
  try {
    return await command.run(rest, io);
  } catch (error) {
    if (isRebindError(error)) {
      io.stderr.write(`rebind ${name}: ${error.message}\n`);
      return error.code === 'REBIND_INVALID_OPTION' ? 2 : 1;
    }
    throw error;
  }
}
