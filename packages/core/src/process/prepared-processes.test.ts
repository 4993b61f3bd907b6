import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { isRunning } from '../proc/process-tree.js';
import { dropPrefork, warmSpawner } from './spawner.js';
import { startProcess, type StartedProcess } from './start-process.js';

// Prints what it was started with as one JSON line, then waits to be stopped.
const script = [
  "const { readlinkSync } = require('node:fs');",
  "console.log(JSON.stringify({ argv: process.argv.slice(1), env: process.env, cwd: process.cwd(), stdin: readlinkSync('/proc/self/fd/0') }));",
  'setInterval(() => {}, 1000);',
].join(' ');

interface Seen {
  readonly argv: string[];
  readonly env: Record<string, string>;
  readonly cwd: string;
  readonly stdin: string;
}
const seen = (proc: StartedProcess): Seen => JSON.parse(proc.output().trim()) as Seen;

const parentOf = (pid: number) => {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
};

/** The shells forked ahead that are children of `spawner`. */
function preparedShells(spawner: number): number[] {
  const pids: number[] = [];
  for (const name of readdirSync('/proc')) {
    const pid = Number(name);
    if (!Number.isInteger(pid)) continue;
    try {
      if (parentOf(pid) !== spawner) continue;
      if (readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('rebind-prepared')) pids.push(pid);
    } catch {
      // gone meanwhile
    }
  }
  return pids;
}

/** The one shell forked ahead that is a child of `spawner`, once there is one. */
async function preparedShell(spawner: number): Promise<number> {
  await expect.poll(() => preparedShells(spawner).length, { timeout: 5000 }).toBe(1);
  return preparedShells(spawner)[0] as number;
}

const started: StartedProcess[] = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map((p) => p.stop({ timeout: 500 })));
});

let cwd: string;
beforeAll(() => {
  cwd = mkdtempSync(join(tmpdir(), 'rebind-prefork-'));
});
afterAll(() => rmSync(cwd, { recursive: true, force: true }));

async function start(
  args: string[],
  env: Record<string, string | undefined> = { REBIND_PREFORK_TEST: 'kept', HOME: undefined },
): Promise<StartedProcess> {
  const proc = await startProcess({
    command: process.execPath,
    args: ['-e', script, ...args],
    env,
    cwd,
    prefork: true,
    ready: { output: '}' },
  });
  started.push(proc);
  return proc;
}

describe.runIf(process.platform === 'linux')('prefork', () => {
  beforeAll(() => warmSpawner());

  it('a restart execs the shell forked after the last start: its pid, with exactly the start a spawn would make', async () => {
    const proc = await start(['one', 'two words', '']);
    const spawner = parentOf(proc.pid);
    const shell = await preparedShell(spawner);
    const firstToken = proc.token;

    await proc.restart();

    expect(proc.pid).toBe(shell);
    expect(proc.token).not.toBe(firstToken);
    const { argv, env, cwd: dir, stdin } = seen(proc);
    expect(argv).toEqual(['one', 'two words', '']);
    // What a spawn gives: this process's environment, the options' changes, the new token;
    // nothing the shell would add (PWD) or had from the last start.
    const expected: Record<string, string> = {};
    for (const [k, v] of Object.entries({ ...process.env, REBIND_PREFORK_TEST: 'kept' }))
      if (v !== undefined && k !== 'HOME') expected[k] = v;
    expected.REBIND_TOKEN = proc.token;
    expect(env).toEqual(expected);
    expect(dir).toBe(cwd);
    expect(stdin).toBe('/dev/null');
    // The next one is forked once this one is ready.
    expect(await preparedShell(spawner)).not.toBe(shell);
  });

  it('a start without PWD gets none (the shell sets one for itself)', async () => {
    const proc = await start([], { PWD: undefined });
    const spawner = parentOf(proc.pid);
    const shell = await preparedShell(spawner);
    await proc.restart();
    expect(proc.pid).toBe(shell);
    expect(seen(proc).env).not.toHaveProperty('PWD');
  });

  it("ends the forked shell with the handle's stop", async () => {
    const proc = await start([]);
    const spawner = parentOf(proc.pid);
    const shell = await preparedShell(spawner);
    await proc.stop();
    await expect.poll(() => isRunning(shell)).toBe(false);
  });

  it('the forked shell exits when the spawner is killed (its stdin closes)', async () => {
    const proc = await start([]);
    const spawner = parentOf(proc.pid);
    const shell = await preparedShell(spawner);
    process.kill(spawner, 'SIGKILL');
    await expect.poll(() => isRunning(shell), { timeout: 3000 }).toBe(false);
    await proc.exited;
    await warmSpawner();
  });

  it('carries any argument: newlines and single quotes reach the command as they are', async () => {
    const proc = await start(["it's", 'line one\nline two', "''"]);
    const spawner = parentOf(proc.pid);
    const shell = await preparedShell(spawner);
    await proc.restart();
    expect(proc.pid).toBe(shell);
    expect(seen(proc).argv).toEqual(["it's", 'line one\nline two', "''"]);
  });

  it('a shared id (a string): a start sh cannot carry (a variable name it refuses) is spawned as usual, the next one starts on the shell; dropPrefork ends it', async () => {
    const id = `test-${process.pid}`;
    const options = (value: string) => ({
      command: process.execPath,
      args: ['-e', script],
      env: { 'REBIND-PREFORK-TEST': value },
      prefork: id,
      ready: { output: '}' },
    });
    const first = await startProcess(options('one'));
    started.push(first);
    const spawner = parentOf(first.pid);
    const shell = await preparedShell(spawner);
    // sh drops that name from its environment: spawned as usual, with it.
    const second = await startProcess(options('two'));
    started.push(second);
    expect(second.pid).not.toBe(shell);
    expect(seen(second).env['REBIND-PREFORK-TEST']).toBe('two');
    // A start with only names sh keeps: carried by the shell the id has.
    const next = await preparedShell(spawner);
    const third = await startProcess({ ...options(''), env: { REBIND_PREFORK_TEST: 'three' } });
    started.push(third);
    expect(third.pid).toBe(next);
    expect(seen(third).env.REBIND_PREFORK_TEST).toBe('three');
    const last = await preparedShell(spawner);
    dropPrefork(id);
    await expect.poll(() => isRunning(last)).toBe(false);
  });
});
