// What every suite that runs real runners does around startRunner: each run started in a
// test is cleaned up after it, and "nothing left" means the same everywhere (no rebind
// process of the run 2 s after it ended, and with Docker no container of the run).
import { afterEach, expect } from 'vitest';
import {
  containersOf,
  leftoversAfter,
  startRunner,
  type RunOptions,
  type Runner,
  type RunningRunner,
} from './harness.js';

/**
 * startRunner for a test file: call once at the top level (it registers an afterEach
 * that cleans up every run started since).
 */
export function runnersCleanedAfterEach(): (runner: Runner, options: RunOptions) => RunningRunner {
  const runs: RunningRunner[] = [];
  afterEach(() => {
    for (const run of runs.splice(0)) run.cleanup();
  });
  return (runner, options) => {
    const run = startRunner(runner, options);
    runs.push(run);
    return run;
  };
}

/**
 * After the run exits: no rebind process of it within 2 s; with `docker`, within 15 s (the
 * watchdog of a killed runner lives until the engine has answered its container removals,
 * its own cap: one CI run here saw it alive at 2 s), and no container of it.
 */
export async function expectNothingLeft(run: RunningRunner, docker = false): Promise<void> {
  await run.exited;
  expect(await leftoversAfter(run, docker ? 15_000 : 2000), run.output()).toEqual([]);
  if (docker) expect(containersOf(run.tag)).toEqual([]);
}
