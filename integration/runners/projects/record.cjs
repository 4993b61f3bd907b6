// What each test of the user projects saw, one JSON line per test in $REBIND_RECORD.
const { appendFileSync } = require('node:fs');
const { request } = require('node:http');

/** A GET on a fresh connection (no keep-alive): the body as received. */
function get(url) {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve(body));
    });
    req.on('error', reject);
    req.end();
  });
}

/** The service's answer: the embedded server answers JSON; nginx answers its worker's pid. */
async function answerOf(url) {
  const body = await get(url);
  return body.startsWith('{') ? JSON.parse(body) : { token: body };
}

/**
 * The requests a test's nginx logged (its accessLog(): this instance's only). nginx
 * logs a request just after it answers: waits up to 2 s for the first line.
 */
async function loggedRequests(endpoint) {
  for (let i = 0; ; i++) {
    const log = await endpoint.accessLog();
    if (log !== '' || i === 100) return [...log.matchAll(/"GET (\S*) HTTP/g)].map((m) => m[1]);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Fetches every service's answer and records it with this worker's slot. */
async function record(test, endpoints) {
  const seen = {
    test,
    // when the test body began (the fault benchmark times recoveries from it)
    at: Date.now(),
    slot: Number(process.env.VITEST_POOL_ID ?? process.env.JEST_WORKER_ID),
    services: {},
  };
  for (const [name, endpoint] of Object.entries(endpoints)) {
    const answer = await answerOf(endpoint.url);
    seen.services[name] = {
      port: endpoint.port,
      token: answer.token,
      pid: answer.pid,
      hits: answer.hits,
      // the instance's main process (nginx's master: its environ is overwritten by its
      // process title, so the leak checks find it by pid, not by the run's tag)
      endpointPid: endpoint.pid,
    };
    // a test's own nginx (the fixtures, Jest's helpers): other kinds have no access log
    if (endpoint.service === 'nginx' && typeof endpoint.accessLog === 'function')
      seen.services[name].requests = await loggedRequests(endpoint);
  }
  appendFileSync(process.env.REBIND_RECORD, `${JSON.stringify(seen)}\n`);
  if (process.env.REBIND_HANG === '1') await new Promise(() => setTimeout(() => undefined, 1e9));
  if (process.env.REBIND_FAIL_TESTS === '1') throw new Error('failing on purpose');
  if (process.env.REBIND_KILL_WORKER === '1' && test.endsWith('1'))
    process.kill(process.pid, 'SIGKILL');
  return seen;
}

module.exports = { get, record };
