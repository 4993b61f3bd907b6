// Processes forked ahead of a restart, in the spawner process (spawner-main.ts): a small
// shell that waits on its stdin for the next start of a command (its environment's
// changes, then its argv) and execs it in place, so that the start skips the fork. The
// forked process keeps its pid, process group and output pipes across the exec. One per
// owner's handle; a start it cannot carry (a value with a newline, a variable name the
// shell refuses) is spawned as usual. node:child_process only.
import { spawn, type ChildProcess } from 'node:child_process';

// Reads a count and that many variables (NAME=value exported, NAME unset), then a count and
// that many arguments; execs them with stdin from /dev/null. At EOF (the spawner is gone),
// it exits.
const SCRIPT = `IFS= read -r n || exit 0
while [ "$n" -gt 0 ]; do IFS= read -r a || exit 0; case "$a" in *=*) export "$a";; *) unset "$a";; esac; n=$((n - 1)); done
IFS= read -r n || exit 0
set --
while [ "$n" -gt 0 ]; do IFS= read -r a || exit 0; set -- "$@" "$a"; n=$((n - 1)); done
exec "$@" </dev/null`;

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

interface Prepared {
  readonly child: ChildProcess;
  readonly command: string;
  readonly cwd: string | undefined;
  /** What it was given (the shell also sets PWD, whatever it was given: see startLines). */
  readonly env: Readonly<Record<string, string>>;
}

/** The lines that turn `prepared` into `command args` run with `env`; undefined when they cannot. */
function startLines(
  prepared: Prepared,
  args: readonly string[],
  env: Readonly<Record<string, string>>,
): string | undefined {
  const changes: string[] = [];
  for (const [name, value] of Object.entries(env))
    if (prepared.env[name] !== value || name === 'PWD') changes.push(`${name}=${value}`);
  for (const name of Object.keys(prepared.env)) if (!(name in env)) changes.push(name);
  // The shell sets PWD itself (to its cwd, or keeps a given one that names it): always
  // say what the start has.
  if (!('PWD' in env) && !('PWD' in prepared.env)) changes.push('PWD');
  const names = changes.map((change) => change.split('=', 1)[0] as string);
  const lines = [String(changes.length), ...changes, String(args.length + 1)];
  lines.push(prepared.command, ...args);
  if (!names.every((name) => NAME.test(name)) || lines.some((line) => /[\n\0]/.test(line)))
    return undefined;
  return `${lines.join('\n')}\n`;
}

export class PreparedProcesses {
  readonly #prepared = new Map<string, Prepared>();

  /** Forks a process for `owner`'s next start of `command` (replacing the one it had). */
  prepare(owner: string, command: string, env: Readonly<Record<string, string>>, cwd?: string) {
    this.drop(owner);
    let child: ChildProcess;
    try {
      child = spawn('/bin/sh', ['-c', SCRIPT, 'rebind-prepared'], {
        cwd,
        env,
        detached: true,
        stdio: ['pipe', 'pipe', 'pipe'],
      });
    } catch {
      return; // the next start is spawned as usual
    }
    const prepared: Prepared = { child, command, cwd, env };
    child.stdin?.on('error', () => undefined);
    const forget = () => {
      if (this.#prepared.get(owner) === prepared) this.#prepared.delete(owner);
    };
    child.once('error', forget);
    child.once('exit', forget);
    if (child.pid !== undefined) this.#prepared.set(owner, prepared);
  }

  /**
   * `owner`'s prepared process, told to exec `command args` with `env`, when it was
   * prepared for that command in that cwd and can carry the start; else undefined.
   */
  take(
    owner: string,
    start: {
      readonly command: string;
      readonly args: readonly string[];
      readonly env: Readonly<Record<string, string>>;
      readonly cwd?: string;
    },
  ): ChildProcess | undefined {
    const prepared = this.#prepared.get(owner);
    if (prepared === undefined || prepared.command !== start.command || prepared.cwd !== start.cwd)
      return undefined;
    const lines = startLines(prepared, start.args, start.env);
    if (lines === undefined) return undefined;
    this.#prepared.delete(owner);
    prepared.child.stdin?.end(lines);
    return prepared.child;
  }

  /** Ends `owner`'s prepared process, if it has one. */
  drop(owner: string): void {
    const prepared = this.#prepared.get(owner);
    if (prepared === undefined) return;
    this.#prepared.delete(owner);
    kill(prepared.child);
  }

  dropAll(): void {
    for (const owner of [...this.#prepared.keys()]) this.drop(owner);
  }
}

function kill(child: ChildProcess): void {
  try {
    process.kill(-(child.pid as number), 'SIGKILL');
  } catch {
    // already gone
  }
}
