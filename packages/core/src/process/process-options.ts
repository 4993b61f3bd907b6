// The options of startProcess and the shape of an exit: shared by the process run, its
// readiness wait and startProcess itself (types live here so imports run one way).
import type { ReadyCheck } from './readiness.js';
import type { StopOptions } from './stop-tree.js';

export interface StartProcessOptions {
  /** The program: a path or a name looked up on PATH (no shell). */
  readonly command: string;
  /** `{port}` and `{host}` in an argument are replaced by the instance's. @default [] */
  readonly args?: readonly string[];
  readonly cwd?: string;
  /**
   * Variables added to (or, `undefined`, removed from) `process.env`; `{port}` and
   * `{host}` in a value are replaced. `REBIND_TOKEN` (the instance's token) is always set,
   * and `PORT` and `HOST` when `port` is given.
   */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /**
   * The port the command listens on: a number, or `'auto'` (a free port rebind leases
   * and keeps across restarts). Passed as `{port}` in `args`, `env` and a readiness URL,
   * and as `PORT`. @default none: the handle's `port` is 0 and its `url` empty
   */
  readonly port?: number | 'auto';
  /**
   * Keep the next instance started and proven ready on its own allocated port (needs
   * `port: 'auto'`): `restart()` swaps it in, the old instance stops in the background
   * and the next standby starts. No request reaches a standby before the swap (a `tcp`
   * readiness check only connects). One more process runs while the handle lives.
   * @default false
   */
  readonly standby?: boolean;
  /** The address it listens on (`{host}`, `HOST`). @default '127.0.0.1' */
  readonly host?: string;
  /**
   * What proves the process ready. With a `port`, an `http` URL may be a path (`'/health'`:
   * on the instance's own url). @default `{ tcp: port }` with a `port`, else none: ready once spawned
   */
  readonly ready?: ReadyCheck;
  /** Ms to wait for readiness before `REBIND_START_TIMEOUT`. @default 30000 */
  readonly readyTimeout?: number;
  /** Ms between polls of a `tcp`, `http` or `check` readiness. @default 1, doubling to 20 */
  readonly readyInterval?: number;
  /** How `stop()` stops the tree (a failed start is SIGKILLed at once). @default SIGTERM, SIGKILL after 5000 ms */
  readonly stop?: StopOptions;
  /** Open file descriptors (or handles) given to the child as fds 3, 4, ... */
  readonly extraFds?: readonly number[];
  /** Bytes of combined stdout and stderr kept for `output()` and errors. @default 65536 */
  readonly outputLimit?: number;
  /** Called with each chunk of output as it arrives. */
  readonly onOutput?: (chunk: string, stream: 'stdout' | 'stderr') => void;
  /**
   * Linux: after each start, fork a small shell that waits to exec the next one (in rebind's
   * spawner process), so that `restart()` skips the fork (nginx: 0.4-1.3 ms less here).
   * The shell runs while the handle lives (one process, ~1 MB). A start with a variable
   * whose name sh refuses (`A-B`: sh drops it) is spawned as usual. A string instead of
   * `true` shares the forked shell between every startProcess given that string (a caller
   * that starts each instance with its own startProcess); it lives until
   * `dropPrefork(string)` (`@rebind/core/internal`) or the end of the process.
   * @default false
   */
  readonly prefork?: boolean | string;
  /** Guard the process group with the owner's watchdog. @default true */
  readonly watchdog?: boolean;
  /** Aborts the start (the process is stopped, then `REBIND_ABORTED`). */
  readonly signal?: AbortSignal;
}

export interface ProcessExit {
  /** Exit code, or null when ended by a signal. */
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}
