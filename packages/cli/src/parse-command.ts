// One argument parser for every command: Node's util.parseArgs, with rebind's errors.
import { parseArgs } from 'node:util';
import { RebindError } from '@rebind/core';
import { invalidOption } from '@rebind/core/internal';

export type OptionSpec = Readonly<Record<string, { readonly type: 'string' | 'boolean' }>>;

export interface ParsedCommand {
  /** Option values by name (`--help`/`-h` included as `help`). */
  readonly values: Readonly<Record<string, string | boolean | undefined>>;
  /** Arguments that are not options, before `--`. */
  readonly positionals: readonly string[];
  /** Every argument after `--`, as given. */
  readonly rest: readonly string[];
}

/**
 * Parses `argv` of `rebind <command>`: an unknown option, or a string option without its
 * value, is REBIND_INVALID_OPTION naming the command's options.
 */
export function parseCommand(
  command: string,
  argv: readonly string[],
  options: OptionSpec,
): ParsedCommand {
  const { values, tokens } = parseArgs({
    args: [...argv],
    options: { ...options, help: { type: 'boolean', short: 'h' } },
    strict: false,
    allowPositionals: true,
    tokens: true,
  });
  const known = `one of ${Object.keys(options)
    .map((name) => `--${name}`)
    .join(', ')}`;
  const positionals: string[] = [];
  const rest: string[] = [];
  for (const token of tokens) {
    if (token.kind === 'option-terminator') {
      rest.push(...argv.slice(token.index + 1));
      break;
    }
    if (token.kind === 'positional') positionals.push(token.value);
    else if (token.name !== 'help' && options[token.name] === undefined)
      throw invalidOption(command, known, token.rawName);
    else if (options[token.name]?.type === 'string' && token.value === undefined)
      throw invalidOption(token.name, 'followed by a value', undefined);
  }
  return { values, positionals, rest };
}

/**
 * A usage error: what is missing or misplaced, then the command's usage line (the first
 * line of its help). REBIND_INVALID_OPTION, so the CLI exits 2.
 */
export function usageError(problem: string, help: string): RebindError {
  return new RebindError('REBIND_INVALID_OPTION', `${problem}\n${help.split('\n')[0] ?? ''}`, {
    details: { problem },
  });
}
