// N tests (REBIND_BENCH_TESTS), each one GET; each records when it started
// (REBIND_BENCH_RECORD) and which nginx worker answered (`$pid`): the intervals between
// test starts are the per-test cost; an answer from the previous test's worker is stale.
import { appendFileSync } from 'node:fs';
import { endpoint } from '@rebind/vitest';
import { test } from '@rebind/vitest/test';
import { inject, it } from 'vitest';

const count = Number(process.env.REBIND_BENCH_TESTS ?? 10);
const url = () =>
  process.env.REBIND_BENCH_MODE === 'rebind'
    ? endpoint('web').url
    : `http://127.0.0.1:${inject('benchNginx').port}/`;

const record = (started, body) =>
  appendFileSync(process.env.REBIND_BENCH_RECORD, `${started} ${body}\n`);

// `fixtures`: each test its own config, as module tests have (a distinct location).
for (let i = 0; i < count && process.env.REBIND_BENCH_MODE === 'fixtures'; i++) {
  test(`test ${i}`, async ({ nginx }) => {
    const started = performance.timeOrigin + performance.now();
    const web = await nginx({ snippet: `location = /t${i} { return 200 "$pid\\n"; }` });
    const response = await fetch(`${web.url}t${i}`, { headers: { connection: 'close' } });
    const body = (await response.text()).trim();
    if (response.status !== 200) throw new Error(`status ${response.status}`);
    record(started, body);
  });
}

for (let i = 0; i < count && process.env.REBIND_BENCH_MODE !== 'fixtures'; i++) {
  it(`test ${i}`, async () => {
    const started = performance.timeOrigin + performance.now();
    const response = await fetch(url(), { headers: { connection: 'close' } });
    const body = (await response.text()).trim();
    if (response.status !== 200) throw new Error(`status ${response.status}`);
    record(started, body);
  });
}
