// Faults met by a real runner process (Vitest or Jest), each checked for its outcome (a
// recovery or a clear error), for nothing left 2 s after the run, and for no lost result.
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { requireComponent } from '@rebind/test-support';
import type { RunningRunner } from '../../runners/test/harness.js';
import { expectNothingLeft, runnersCleanedAfterEach } from '../../runners/test/runs.js';

const project = fileURLToPath(new URL('../projects/vitest/', import.meta.url));

const start = runnersCleanedAfterEach();

/** Vitest's closing `Tests  1 failed | 1 passed (2)` line, as counts. */
function counts(output: string): { failed: number; passed: number } {
  const line = /^\s*Tests\s+(.*)$/m.exec(output)?.[1] ?? '';
  const n = (word: string) => Number(new RegExp(`(\\d+) ${word}`).exec(line)?.[1] ?? 0);
  return { failed: n('failed'), passed: n('passed') };
}

describe.runIf(requireComponent('nginx'))('faults met by a real runner', () => {
  it('a test that hangs past its timeout mid-request: the next test does not pay for it (recovery)', async () => {
    const run = start('vitest4', { project, env: { REBIND_FAULT: 'hang' } });
    expect((await run.exited).code, run.output()).toBe(1);
    expect(run.output()).toMatch(/Test timed out in 1000ms/);
    expect(counts(run.output()), run.output()).toEqual({ failed: 1, passed: 1 });
    const [hang, next] = run.records();
    expect(hang?.test).toBe('hang');
    expect(next?.test).toBe('next');
    // A pristine instance: another master than the one the hung request still reached.
    expect(next?.services.web?.endpointPid).not.toBe(hang?.services.web?.endpointPid);
    await expectNothingLeft(run);
  });

  it('an nginx worker SIGKILLed during a test: the next test gets a pristine instance (recovery)', async () => {
    const run = start('vitest4', { project, env: { REBIND_FAULT: 'worker-kill' } });
    expect((await run.exited).code, run.output()).toBe(0);
    const [killed, next] = run.records();
    expect(next?.services.web?.endpointPid).not.toBe(killed?.services.web?.endpointPid);
    expect(next?.services.web?.token).not.toBe(killed?.services.web?.token);
    await expectNothingLeft(run);
  });

  it('a low fd limit (ulimit -n 256) with 4 workers: the run passes, no EMFILE anywhere (recovery)', async () => {
    const run = start('vitest4', {
      workers: 4,
      wrap: ['prlimit', '--nofile=256:256'],
      env: { REBIND_SERVICES_REAL: 'nginx' },
    });
    // prlimit sets the limit, then execs the runner in the same process.
    await run.printed(/RUN/);
    const limits = readFileSync(`/proc/${run.child.pid}/limits`, 'utf8');
    expect(/Max open files\s+(\d+)/.exec(limits)?.[1]).toBe('256');
    expect((await run.exited).code, run.output()).toBe(0);
    expect(run.output()).not.toMatch(/EMFILE|too many open files/i);
    expect(counts(run.output()).passed).toBe(6);
    expect(run.output()).toMatch(/rebind: 6 tests/);
    await expectNothingLeft(run);
  });

  it('two runners at once (Vitest and Jest, 4 workers each): no port shared, each cleans its own (recovery)', async () => {
    const env = { REBIND_SERVICES_REAL: 'nginx' };
    const vitest = start('vitest4', { workers: 4, env });
    const jest = start('jest30', { workers: 4, env });
    const [v, j] = await Promise.all([vitest.exited, jest.exited]);
    expect(v.code, vitest.output()).toBe(0);
    expect(j.code, jest.output()).toBe(0);
    const ports = (run: RunningRunner, service: string) =>
      new Set(run.records().map((s) => s.services[service]?.port));
    // per-worker and shared instances live the whole run: never on the other run's ports
    for (const service of ['api', 'db'])
      expect([...ports(vitest, service)].filter((p) => ports(jest, service).has(p))).toEqual([]);
    expect(vitest.records()).toHaveLength(6);
    expect(jest.records()).toHaveLength(6);
    await expectNothingLeft(vitest);
    await expectNothingLeft(jest);
  });

  it('a soak of per-test restarts across 4 workers: 0 failures, fds flat in the main process', async () => {
    const perFile = Number(process.env.REBIND_SOAK_TESTS ?? 50);
    const run = start('vitest4', {
      project,
      workers: 4,
      env: { REBIND_FAULT: 'soak', REBIND_SOAK_TESTS: String(perFile) },
    });
    const samples: { rss: number; fds: number; done: number }[] = [];
    const pid = run.child.pid ?? 0;
    const sample = () => {
      try {
        const rss = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]);
        const fds = readdirSync(`/proc/${pid}/fd`).length;
        samples.push({ rss, fds, done: run.records().length });
      } catch {
        // exited
      }
    };
    const timer = setInterval(sample, 200);
    const exit = await run.exited;
    clearInterval(timer);
    expect(exit.code, run.output()).toBe(0);
    expect(counts(run.output())).toEqual({ failed: 0, passed: perFile * 4 });
    expect(run.records()).toHaveLength(perFile * 4);
    // While tests run (after the first quarter, before the last test): steady state.
    const total = perFile * 4;
    const steady = samples.filter((s) => s.done >= total / 4 && s.done < total).map((s) => s.fds);
    const rss = samples.map((s) => Math.round(s.rss / 1024));
    console.log(
      `soak: ${perFile * 4} per-test restarts, main process rss start/peak/end ${rss[0]}/${Math.max(...rss)}/${rss.at(-1)} MB, fds ${samples[0]?.fds}/${Math.max(...samples.map((s) => s.fds))}/${samples.at(-1)?.fds}`,
    );
    // No fd leak: while the last three quarters of the tests run, the main process holds
    // no more fds than when they began (a leak of one per restart adds one per test).
    // Compared as medians of the first and last third: single samples swing by ~10 with
    // the control connections and child pipes open at that instant.
    expect(steady.length).toBeGreaterThan(5);
    const third = Math.floor(steady.length / 3);
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
    expect(
      median(steady.slice(-third)) - median(steady.slice(0, third)),
      JSON.stringify(steady),
    ).toBeLessThanOrEqual(5);
    await expectNothingLeft(run);
  });
});
