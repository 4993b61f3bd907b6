// What each test of this project checks and records (one JSON line in $REBIND_RECORD):
// the instance it reached (by the token label rebind gives its container), whose first
// answer is its own hostname, and how many requests that container logged (1: the
// test's own, so none reached it while it was the standby).
const { execFileSync, spawnSync } = require('node:child_process');
const { appendFileSync } = require('node:fs');
const { get } = require('../record.cjs');

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** busybox httpd -vv logs each request (`url:/...`) on stderr. */
function requestsOf(id) {
  const logs = spawnSync('docker', ['logs', id], { encoding: 'utf8' });
  return `${logs.stdout}${logs.stderr}`.match(/url:\//g)?.length ?? 0;
}

async function check(test, endpoint) {
  const slot = Number(process.env.VITEST_POOL_ID ?? process.env.JEST_WORKER_ID);
  const [id = '', project = ''] = execFileSync(
    'docker',
    [
      ...['ps', '--no-trunc', '--filter', `label=rebind.token=${endpoint.token}`],
      ...['--format', '{{.ID}} {{.Label "com.docker.compose.project"}}'],
    ],
    { encoding: 'utf8' },
  )
    .trim()
    .split(' ');
  const hostname = (await get(endpoint.url)).trim();
  // Once its log shows the test's request it shows any earlier one too.
  let hits = 0;
  for (let i = 0; i < 500 && hits === 0; i++) {
    hits = requestsOf(id);
    if (hits === 0) await sleep(20);
  }
  const seen = {
    test,
    slot,
    services: { box: { port: endpoint.port, token: hostname, container: id, project, hits } },
  };
  appendFileSync(process.env.REBIND_RECORD, `${JSON.stringify(seen)}\n`);
  return seen;
}

module.exports = { check };
