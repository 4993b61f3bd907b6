// `web`: a fixture of this file's own, built on rebind's `nginx` with the builder form. Each
// test gets a pristine nginx answering `<greeting>|<test>|<worker pid>`, and its error log is
// checked after the test (onCleanup). `e 2` makes nginx log an [error]: that check fails
// it, and only it. The describe block sets `greeting` with `test.override(name, value)`.
import { createRequire } from 'node:module';
import { expectNoErrorLog, test as base } from '@rebind/vitest/test';
import { describe } from 'vitest';

const { record } = createRequire(import.meta.url)('../../record.cjs');

const test = base
  .extend('greeting', 'file')
  .extend('web', async ({ nginx, greeting, task }, { onCleanup }) => {
    const web = await nginx({
      snippet: `location / { return 200 "${greeting}|${task.name}|$pid"; }
                location /missing { root /nonexistent; }`,
    });
    onCleanup(() => expectNoErrorLog(web));
    return web;
  });

test('e 1', async ({ web }) => record('e 1', { nginx: web }));
test('e 2', async ({ web }) => {
  await fetch(`${web.url}missing/file`);
  await record('e 2', { nginx: web });
});
test('e 3', async ({ web }) => record('e 3', { nginx: web }));

describe('block', () => {
  test.override('greeting', 'block');
  test('e 4', async ({ web }) => record('e 4', { nginx: web }));
});
