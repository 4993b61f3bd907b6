// Two describe blocks, each with its own `nginxDefaults` (an httpConfig setting $block) set
// by the running Vitest's override form; each test adds its own snippet, which answers
// `<$block>|<test>|<form>|<worker pid>`. The last test gives its own httpConfig: it wins.
import { createRequire } from 'node:module';
import { test } from '@rebind/vitest/test';
import { describe } from 'vitest';

const { record } = createRequire(import.meta.url)('../../record.cjs');
const form = typeof test.override === 'function' ? 'override' : 'scoped';
const block = (value) => ({ httpConfig: `map $uri $block { default "${value}"; }` });
const own = (name) => `location / { return 200 "$block|${name}|${form}|$pid"; }`;

export function blocks(file) {
  for (const name of [`${file} x`, `${file} y`])
    describe(name, () => {
      test[form]({ nginxDefaults: block(name) });
      test(`${name} 1`, async ({ nginx }) =>
        record(`${name} 1`, { nginx: await nginx({ snippet: own(`${name} 1`) }) }));
      test(`${name} 2`, async ({ nginx }) =>
        record(`${name} 2`, {
          nginx: await nginx({ ...block('own'), snippet: own(`${name} 2`) }),
        }));
    });
}
