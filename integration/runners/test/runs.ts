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
  type Seen,
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

/**
 * The fixture projects' shape: every test's nginx came from a master of its own, each
 * worker kept one port, and `workers` workers were used.
 */
export function expectFreshMastersOnePortPerWorker(seen: readonly Seen[], workers = 2): void {
  expect(new Set(seen.map((s) => s.services.nginx?.endpointPid)).size).toBe(seen.length);
  const ports = new Map<number, Set<number | undefined>>();
  for (const s of seen)
    ports.set(s.slot, (ports.get(s.slot) ?? new Set()).add(s.services.nginx?.port));
  expect(ports.size).toBe(workers);
  for (const set of ports.values()) expect(set.size).toBe(1);
}
