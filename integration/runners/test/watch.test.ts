// Vitest watch mode, for real (under a pseudo-terminal): a rerun restarts the services
// (rerun: 'restart', the default; 'keep' keeps them), a config edit tears everything down and starts again,
// and quitting leaves nothing.
import { utimesSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterEach, expect, it } from 'vitest';
import { leftoversAfter, startRunner, type RunningRunner } from './harness.js';

const config = fileURLToPath(new URL('../projects/vitest/vitest.config.js', import.meta.url));
const runs: RunningRunner[] = [];
afterEach(() => {
  for (const run of runs.splice(0)) run.cleanup();
});

it('watch mode: a rerun restarts the services, a config edit starts them again, q leaves nothing', async () => {
  const run = startRunner('vitest4', { watch: true, env: { REBIND_SERVICES_KEEP: '1' } });
  runs.push(run);
  // keys and edits only once Vitest waits for them
  const waiting = /Waiting for file changes/;
  const first = await run.recorded(6);
  await run.printed(waiting, 1);
  run.child.stdin?.write('a');
  const second = (await run.recorded(12)).slice(6);
  await run.printed(waiting, 2);
  const now = new Date();
  utimesSync(config, now, now);
  const third = (await run.recorded(18)).slice(12);
  await run.printed(waiting, 3);
  run.child.stdin?.write('q');
  await run.exited;
  const shared = (seen: typeof first) => new Set(seen.map((s) => s.services.db?.token));
  expect(shared(first).size).toBe(1);
  expect(shared(second).size).toBe(1);
  expect(shared(third).size).toBe(1);
  expect([...shared(second)]).not.toEqual([...shared(first)]);
  expect([...shared(third)]).not.toEqual([...shared(second)]);
  // rerun: 'keep' survives the rerun, not the config edit
  const kept = (seen: typeof first) => [...new Set(seen.map((s) => s.services.cache?.token))];
  expect(kept(second)).toEqual(kept(first));
  expect(kept(third)).not.toEqual(kept(second));
  expect(kept(third)).toHaveLength(1);
  const ports = (seen: typeof first) => seen.map((s) => s.services.db?.port);
  expect(ports(second)).toEqual(ports(first));
  expect(await leftoversAfter(run, 2000), run.output()).toEqual([]);
});
