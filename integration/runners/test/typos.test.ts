// A typo in a declaration fails the run at once, before any service starts, in every
// runner: Vitest when it resolves the config (rebind()), Jest in its global setup.
import { afterEach, describe, expect, it } from 'vitest';
import { leftoversAfter, startRunner, tagged, type Runner, type RunningRunner } from './harness.js';

const runs: RunningRunner[] = [];
afterEach(() => {
  for (const run of runs.splice(0)) run.cleanup();
});

const messages = {
  nginx:
    'Unknown option `services.typo.nginx.restartStrategi` of startNginx. Did you mean `services.typo.nginx.restartStrategy`?',
  declaration: (owner: string) =>
    `Unknown option \`services.typo.pristene\` of ${owner}. Did you mean \`services.typo.pristine\`?`,
};

const cases: [Runner, 'nginx' | 'declaration'][] = [
  ['vitest3', 'nginx'],
  ['vitest4', 'declaration'],
  ['vitest5', 'nginx'],
  ['jest29', 'declaration'],
  ['jest30', 'nginx'],
];

describe('a typo in a declaration', () => {
  it.each(cases)('%s, a typo in the %s: fails at once, starts nothing', async (runner, typo) => {
    const run = startRunner(runner, {
      config: runner.startsWith('jest') ? 'jest.config.cjs' : undefined,
      env: { REBIND_SERVICES_TYPO: typo },
    });
    runs.push(run);
    const { code } = await run.exited;
    expect(code, run.output()).not.toBe(0);
    const owner = runner.startsWith('jest') ? 'testEnvironmentOptions.rebind' : 'rebind()';
    expect(run.output()).toContain(typo === 'nginx' ? messages.nginx : messages.declaration(owner));
    // No test ran, no summary was printed, and no process of this run is left: no server,
    // no watchdog, no runner worker.
    expect(run.records()).toEqual([]);
    expect(run.output()).not.toMatch(/rebind: \d+ tests/);
    expect(await leftoversAfter(run, 0)).toEqual([]);
    expect(tagged(run.tag)).toEqual([]);
  });
});
