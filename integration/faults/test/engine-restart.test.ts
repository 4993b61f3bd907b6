// The Docker engine restarted in the middle of a run (a per-test container): a private
// dockerd of this test's own is stopped by its pid while a test runs, and started again
// once a test has failed. The test during the outage fails with REBIND_DOCKER_UNAVAILABLE;
// the tests after it get a recreated, pristine instance (a failed restart is retried);
// nothing is left in the engine nor in its containerd (recovery).
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { requireComponent, startPrivateEngine, type PrivateEngine } from '@rebind/test-support';
import type { RunningRunner } from '../../runners/test/harness.js';
import { expectNothingLeft, runnersCleanedAfterEach } from '../../runners/test/runs.js';

const project = fileURLToPath(new URL('../projects/vitest/', import.meta.url));

interface Outcome {
  readonly test: string;
  readonly at: number;
  readonly error?: { code?: string; message: string };
  readonly services: Record<string, { token: string; port: number }>;
}

const start = runnersCleanedAfterEach();
let engine: PrivateEngine | undefined;
afterEach(async () => {
  await engine?.remove();
  engine = undefined;
});

const waitFor = async (check: () => boolean, run: RunningRunner) => {
  let exited = false;
  void run.exited.then(() => (exited = true));
  while (!check()) {
    if (exited) throw new Error(`the run ended first:\n${run.output()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
};

describe.runIf(requireComponent('docker'))('the Docker engine restarted mid-run', () => {
  it('the test during the outage fails with REBIND_DOCKER_UNAVAILABLE, the next ones get a recreated instance (recovery)', async () => {
    engine = await startPrivateEngine({ images: ['rebind/nginx:test'] });
    const tests = 10;
    const run = start('vitest4', {
      project,
      workers: 1,
      env: {
        REBIND_FAULT: 'engine-restart',
        DOCKER_HOST: engine.dockerHost,
        REBIND_ENGINE_TESTS: String(tests),
        REBIND_ENGINE_PAUSE: '1000',
      },
    });
    const outcomes = () => run.records() as unknown as Outcome[];
    await run.recorded(3);
    const fault = Date.now();
    await engine.stop();
    await waitFor(() => outcomes().some((o) => o.error !== undefined), run);
    const failedAt = Date.now();
    await engine.start();
    const back = Date.now();
    expect((await run.exited).code, run.output()).toBe(1);

    const all = outcomes();
    expect(all.map((o) => o.test)).toEqual(
      Array.from({ length: tests }, (_, i) => `test ${i + 1}`),
    );
    const failed = all.filter((o) => o.error !== undefined);
    expect(failed.length).toBeGreaterThan(0);
    for (const o of failed) {
      expect(o.error?.code, o.error?.message).toBe('REBIND_DOCKER_UNAVAILABLE');
      expect(o.error?.message).toMatch(
        new RegExp(
          `^The Docker engine at ${engine.dockerHost} stopped answering while rebind tried to (remove|start) container \\S+ \\(.+\\)\\. Start it again`,
        ),
      );
    }
    // Every test after the engine answered again passed, each on a new container.
    const after = all.filter((o) => o.at > back);
    expect(after.length).toBeGreaterThan(0);
    expect(after.filter((o) => o.error !== undefined)).toEqual([]);
    const tokens = all.filter((o) => o.error === undefined).map((o) => o.services.db?.token);
    expect(new Set(tokens).size).toBe(tokens.length);
    expect(run.output()).toMatch(
      new RegExp(`Tests\\s+${failed.length} failed \\| ${tests - failed.length} passed`),
    );

    // Nothing left: no container in the engine, none in its containerd, no process.
    const listed = engine.docker(['ps', '-a', '--format', '{{.Names}} {{.Status}}']);
    expect(listed.trim(), `${listed}\n${run.output()}`).toBe('');
    expect(engine.ctr(['containers', 'ls', '-q']).trim()).toBe('');
    expect(engine.ctr(['tasks', 'ls', '-q']).trim()).toBe('');
    // ... and the run's summary counted what it left, containerd included (none).
    expect(run.output()).toMatch(/, leftovers: 0 \(db: container\)\n/);
    await expectNothingLeft(run);
    const firstBack = after[0] as Outcome;
    console.log(
      `engine restart: ${failed.length} of ${tests} tests failed; engine stopped in ${failedAt - fault} ms (first failure recorded), back after ${back - failedAt} ms, first pristine answer ${firstBack.at - back} ms later; fault to recovery ${firstBack.at - fault} ms`,
    );
  });
});
