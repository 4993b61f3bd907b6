// A per-test container while the suite stops and starts the Docker engine: each test
// records what it saw (or the error endpoint() threw), then pauses so that the engine
// goes down between two tests.
import { appendFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { endpoint } from '@rebind/vitest';
import { it } from 'vitest';

const { record } = createRequire(import.meta.url)('../../../../runners/projects/record.cjs');
const tests = Number(process.env.REBIND_ENGINE_TESTS ?? 10);
const pause = Number(process.env.REBIND_ENGINE_PAUSE ?? 1000);

for (let i = 1; i <= tests; i++)
  it(`test ${i}`, async () => {
    let db;
    try {
      db = endpoint('db');
    } catch (error) {
      const failed = {
        test: `test ${i}`,
        at: Date.now(),
        error: { code: error.code, message: error.message },
        services: {},
      };
      appendFileSync(process.env.REBIND_RECORD, `${JSON.stringify(failed)}\n`);
      // as long as a passing test: the outage spans a few tests, not all the rest
      await new Promise((resolve) => setTimeout(resolve, pause));
      throw error;
    }
    await record(`test ${i}`, { db });
    await new Promise((resolve) => setTimeout(resolve, pause));
  });
