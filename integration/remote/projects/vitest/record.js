// What each test saw: its endpoint and the answer behind it (rebind/nginx:test answers
// `rebind-nginx <hostname>`, and the hostname is the instance's token), one JSON line per
// test in $REBIND_RECORD. REBIND_HANG=1: the test then waits forever (a runner to kill).
import { appendFileSync } from 'node:fs';
import { endpoint } from '@rebind/vitest';
import { get } from '../get.js';

export async function record(test) {
  // endpoint() throws the service's own error when its start or restart failed
  const store = endpoint('store');
  const answer = await get(store.url);
  const seen = {
    test,
    host: process.env.REBIND_TEST_HOST,
    slot: Number(process.env.VITEST_POOL_ID),
    endpoint: { host: store.host, port: store.port, url: store.url, token: store.token },
    answer: answer.trim(),
    // the shape the runners harness reads (local processes: none here)
    services: {},
  };
  appendFileSync(process.env.REBIND_RECORD, `${JSON.stringify(seen)}\n`);
  if (process.env.REBIND_HANG === '1') await new Promise(() => setTimeout(() => undefined, 1e9));
  return seen;
}
