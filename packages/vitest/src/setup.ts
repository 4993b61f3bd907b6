// Vitest setup file (added by the `rebind()` plugin). Runs in each test worker: fetches
// this worker slot's endpoints, and before each test asks the main process to restart the
// per-test services this slot already used.
import { callControl, currentSlot } from '@rebind/runner/client';
import { beforeEach, inject } from 'vitest';
import { setEndpoints } from './endpoint.js';
import './provided-context.js';

const context = inject('rebind');
const slot = currentSlot();
setEndpoints(await callControl(context.control, 'acquire', slot));

if (Object.values(context.policies).includes('per-test')) {
  beforeEach(async () => {
    setEndpoints(await callControl(context.control, 'test-start', slot));
  });
}
