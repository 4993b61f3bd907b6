// The Docker engine down at start: DOCKER_HOST names a socket where no engine answers.
// The outcome is a clear error for the container service's test only: the stale sweep
// warns, the nginx and command services' tests run and pass.
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { requireComponent } from '@rebind/test-support';
import { expectNothingLeft, runnersCleanedAfterEach } from '../../runners/test/runs.js';

const project = fileURLToPath(new URL('../projects/vitest/', import.meta.url));

const start = runnersCleanedAfterEach();

describe.runIf(requireComponent('nginx'))('the Docker engine down at start', () => {
  it('the container service fails fast with REBIND_DOCKER_UNAVAILABLE, nginx and command tests pass (clear error)', async () => {
    const socket = join(tmpdir(), `rebind-no-engine-${process.pid}.sock`);
    const run = start('vitest4', {
      project,
      env: { REBIND_FAULT: 'engine-down', DOCKER_HOST: `unix://${socket}` },
    });
    expect((await run.exited).code, run.output()).toBe(1);
    const output = run.output();
    expect(output).not.toMatch(/No test files found/);
    expect(output).toContain(
      `rebind: warning: stale containers were not looked for: No Docker engine answers at unix://${socket} (connect ENOENT ${socket}). Start one (as root: bash docker/start-engine.sh, or dockerd &), or point DOCKER_HOST at a running engine.`,
    );
    // The container test failed with the error and its fix; the others passed.
    expect(output).toMatch(/FAIL .*engine-down\.test\.js > container/);
    expect(output).toMatch(
      /RebindError: No Docker engine answers at unix:\/\/\S+ \(connect ENOENT/,
    );
    expect(/Tests\s+1 failed \| 2 passed \(3\)/.test(output), output).toBe(true);
    const records = run.records() as unknown as { test: string; error?: { code: string } }[];
    expect(records.map((r) => [r.test, r.error?.code])).toEqual([
      ['nginx', undefined],
      ['command', undefined],
      ['container', 'REBIND_DOCKER_UNAVAILABLE'],
    ]);
    await expectNothingLeft(run);
  });
});
