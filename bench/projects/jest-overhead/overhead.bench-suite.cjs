// N tests (REBIND_BENCH_TESTS), each one GET; each records when it started and which nginx
// worker answered, as the Vitest suite does.
const { appendFileSync } = require('node:fs');
const { request } = require('node:http');
const { endpoint, nginx } = require('@rebind/jest');

const count = Number(process.env.REBIND_BENCH_TESTS ?? 10);
const fixtures = process.env.REBIND_BENCH_MODE === 'fixtures';

const get = (url) =>
  new Promise((resolve, reject) => {
    const req = request(url, { agent: false, headers: { connection: 'close' } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode, body }));
    });
    req.on('error', reject);
    req.end();
  });

for (let i = 0; i < count; i++) {
  it(`test ${i}`, async () => {
    const started = performance.timeOrigin + performance.now();
    const url = fixtures
      ? `${(await nginx({ snippet: `location = /t${i} { return 200 "$pid\\n"; }` })).url}t${i}`
      : endpoint('web').url;
    const response = await get(url);
    if (response.status !== 200) throw new Error(`status ${response.status}`);
    appendFileSync(process.env.REBIND_BENCH_RECORD, `${started} ${response.body.trim()}\n`);
  });
}
