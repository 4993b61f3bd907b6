// The second worker's file: the same builder fixture in its plainest form.
import { createRequire } from 'node:module';
import { test as base } from '@rebind/vitest/test';

const { record } = createRequire(import.meta.url)('../../record.cjs');

const test = base.extend('web', async ({ nginx, task }) =>
  nginx({ snippet: `location / { return 200 "file|${task.name}|$pid"; }` }),
);

test('f 1', async ({ web }) => record('f 1', { nginx: web }));
test('f 2', async ({ web }) => record('f 2', { nginx: web }));
