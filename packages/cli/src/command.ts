export interface Io {
  readonly stdout: { write(text: string): unknown };
  readonly stderr: { write(text: string): unknown };
}

export interface Command {
  /** One line for `rebind --help`. */
  readonly summary: string;
  /** Runs the command with its own arguments; resolves to the exit code. */
  run(argv: readonly string[], io: Io): Promise<number>;
}
