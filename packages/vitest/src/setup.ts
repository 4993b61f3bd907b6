// Vitest setup file (added by the `rebind()` plugin). Runs in each test worker: fetches
// this worker slot's endpoints; before each test, asks the main process for pristine
// per-test instances (or starts on the standbys it was told of during the previous test);
// once a test has finished (after every afterEach hook), asks it to start restarting
// them, so the restart overlaps Vitest's work between tests.
import { askControl, callControl, currentSlot, TestStarts } from '@rebind/runner/client';
import { afterAll, beforeEach, inject } from 'vitest';
import type { RunnerTask, RunnerTestCase } from 'vitest';
import { setEndpoints } from './endpoint.js';
import './provided-context.js';

const context = inject('rebind');
const slot = currentSlot();
setEndpoints(await callControl(context, 'acquire', slot));

if (!Object.values(context.policies).includes('per-test')) {
  // No test-start call to count tests by: count them here, report once per file.
  let tests = 0;
  beforeEach(() => void (tests += 1));
  afterAll(async () => {
    if (tests > 0) await askControl(context, 'tests', slot, undefined, `&count=${tests}`);
  });
} else {
  // Every per-test service swaps in a standby (no test-end call): the next test's
  // endpoints are fetched while a test runs.
  const starts = new TestStarts(context, slot, context.testEnd === false);
  beforeEach(async ({ onTestFinished, task }) => {
    setEndpoints(await starts.start(!isLastInFile(task)));
    // Nothing to do when a test ends when every per-test service swaps in a standby.
    if (context.testEnd === false) return;
    onTestFinished(async () => {
      // After the file's last test no restart: the next file's first test (if this
      // worker gets one) restarts at its start instead.
      const last = isLastInFile(task) ? '&last=1' : '';
      await askControl(context, 'test-end', slot, undefined, last);
    });
  });
}

/** True when no test after `test` in its file is set to run (skipped and todo ones do not count). */
function isLastInFile(test: RunnerTestCase): boolean {
  const order: RunnerTask[] = [];
  const walk = (tasks: readonly RunnerTask[]) => {
    for (const t of tasks) {
      if (t.type === 'suite') walk(t.tasks);
      else order.push(t);
    }
  };
  walk(test.file.tasks);
  const at = order.findIndex((t) => t.id === test.id);
  return order.slice(at + 1).every((t) => t.mode === 'skip' || t.mode === 'todo');
}
