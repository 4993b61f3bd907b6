// N tests (REBIND_BENCH_TESTS), each one GET; each records when it started
// (REBIND_BENCH_RECORD) and which nginx worker answered (`$pid`): the intervals between
// test starts are the per-test cost; an answer from the previous test's worker is stale.
import { appendFileSync } from 'node:fs';
import { endpoint } from '@rebind/vitest';
import { test } from '@rebind/vitest/test';
import { inject, it } from 'vitest';

const count = Number(process.env.REBIND_BENCH_TESTS ?? 10);
// The test's own work (REBIND_BENCH_WORK_MS): time a standby has to get ready.
const work = Number(process.env.REBIND_BENCH_WORK_MS ?? 0);
const url = () =>
  process.env.REBIND_BENCH_MODE === 'rebind' || process.env.REBIND_BENCH_MODE === 'standby'
    ? endpoint('web').url
    : `http://127.0.0.1:${inject('benchNginx').port}/`;
// nginx answers its worker's pid, a container its hostname, the Node server JSON with
// its token and how many requests it received (`hits`: 1 = pristine).
const identity = (body) => {
  if (!body.startsWith('{')) return body;
  const { token, hits } = JSON.parse(body);
  return `${token} ${hits}`;
};

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
    record(started, identity(body));
    if (work > 0) await new Promise((resolve) => setTimeout(resolve, work));
  });
}
