// Every benchmark runs with tiny counts so that none rots. No timing is asserted: only
// that each one ran and printed its table.
import { describe, expect, it } from 'vitest';
import { benchmarkNames, runBenchmark } from '../run.js';

describe('benchmarks (smoke counts)', () => {
  for (const name of benchmarkNames()) {
    it(`${name} runs and prints figures`, async () => {
      const lines = [];
      await runBenchmark(name, { smoke: true, print: (line) => lines.push(line) });
      expect(lines.join('\n')).toMatch(/median ms/);
    });
  }
});
