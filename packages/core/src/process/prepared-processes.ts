// Processes forked ahead of a restart, in the spawner process (spawner-main.ts): a small
// shell (`sh -s`) that waits for its script on stdin. The next start of the command writes
// it there: its environment's changes, then `exec` of its argv, all single-quoted. So the
// start skips the fork. The exec'd command keeps the shell's pid, process group and output
// pipes. One per owner's handle; a start it cannot carry (a variable whose name the shell
// refuses) is spawned as usual. At EOF (the spawner is gone) the shell exits.
// node:child_process only.
import { spawn, type ChildProcess } from 'node:child_process';

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** `text` as one shell word. */
const quote = (text: string) => `'${text.replaceAll("'", `'\\''`)}'`;

interface Prepared {
  readonly child: ChildProcess;
  readonly command: string;
  readonly cwd: string | undefined;
  /** What it was given (the shell also sets PWD, whatever it was given: see startScript). */
  readonly env: Readonly<Record<string, string>>;
}

/**
 * The script that turns `prepared` into `command args` run with `env`: the shell reads it
 * as a whole (its `read` builtin reads a pipe a byte at a time: ~0.5 ms more for nginx's
 * argv). Undefined when it cannot.
 */
function startScript(
  prepared: Prepared,
  args: readonly string[],
  env: Readonly<Record<string, string>>,
): string | undefined {
  // sh drops a variable whose name it refuses (A-B) from its own environment: the start
  // would lose it.
  if (!Object.keys(env).every((name) => NAME.test(name))) return undefined;
  const lines: string[] = [];
  for (const [name, value] of Object.entries(env))
    if (prepared.env[name] !== value || name === 'PWD')
      lines.push(`export ${quote(`${name}=${value}`)}`);
  const unset = Object.keys(prepared.env).filter((name) => !(name in env));
  // The shell sets PWD itself (to its cwd, or keeps a given one that names it): always
  // say what the start has.
  if (!('PWD' in env) && !('PWD' in prepared.env)) unset.push('PWD');
  lines.push(...unset.filter((name) => NAME.test(name)).map((name) => `unset ${name}`));
  lines.push(`exec ${[prepared.command, ...args].map(quote).join(' ')} </dev/null`);
  return `${lines.join('\n')}\n`;
}

export class PreparedProcesses {
  readonly #prepared = new Map<string, Prepared>();

  /** Forks a process for `owner`'s next start of `command` (replacing the one it had). */
  prepare(owner: string, command: string, env: Readonly<Record<string, string>>, cwd?: string) {
    this.drop(owner);
    let child: ChildProcess;
    try {
      child = spawn('/bin/sh', ['-s', 'rebind-prepared'], {
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
    const script = startScript(prepared, start.args, start.env);
    if (script === undefined) return undefined;
    this.#prepared.delete(owner);
    prepared.child.stdin?.end(script);
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
