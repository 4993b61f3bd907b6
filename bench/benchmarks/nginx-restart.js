// nginx restarts, against the floor measured in the same run:
// - floor: the raw cycle (spawn nginx, first HTTP answer, QUIT, exit; no rebind code);
// - rebind restart() per strategy: stop old + start new + readiness proven to come from the
//   new instance (goals: 'wait' median <= 1.5x the floor and p95 <= 3x the floor's median;
//   'fresh-port' and 'inherit' median <= 1.2x);
// - peers: an `nginx -s stop; sleep 0.1; nginx` loop (daemonized nginx, then poll the first
//   answer) and a wait-on based restart (QUIT, spawn, wait-on http-get, interval 10 ms);
// - count mode: 1,000 consecutive 'wait' restarts on one port, counting bind failures and
//   first answers that came from an old instance (full mode only; smoke does 5);
// - the time until a foreign listener on the port is reported as REBIND_PORT_IN_USE;
// - 'fresh-port' with and without a standby, restart() after a 25 ms pause (goal: <= 1 ms
//   with a ready standby), with CPU time per restart and the nginx processes running;
// - the 'inherit' hand-off: requests lost when the owner holds the socket in a listening
//   net.Server (its event loop accepts some) versus holdSocket() (none).
// Samples are taken round-robin (10 of each row per round) so that load drifts on this
// shared machine hit every row alike.
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import waitOn from 'wait-on';
import { holdSocket, isRebindError, processTree } from '@rebind/core';
import { findNginx, startNginx } from '@rebind/nginx';
import { componentStatus } from '@rebind/test-support';
import {
  httpGet,
  loopbackPort,
  pollFirstAnswer,
  rawNginxConfig,
  rawNginxCycle,
} from '../lib/raw-nginx.js';
import { median, printTable } from '../lib/stats.js';

const run = promisify(execFile);

/** CPU time of this process and of its waited-for children (nginx masters and, through them, workers), in ms. */
function ownAndChildrenCpuMs() {
  const f = readFileSync('/proc/self/stat', 'utf8').split(') ')[1].split(' ');
  // utime, stime, cutime, cstime: fields 14-17 of stat(5), in clock ticks (100 per s)
  return (Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14])) * 10;
}

/** nginx processes (masters and workers) whose command line names this prefix, or their workers. */
function nginxProcessesUnder(prefix) {
  let count = 0;
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      if (cmd.startsWith('nginx: master') && cmd.includes(prefix))
        count += processTree(Number(pid)).length;
    } catch {
      // gone
    }
  }
  return count;
}
const strategies = ['wait', 'fresh-port', 'reuseport', 'inherit', 'reload'];
const snippet = 'location / { return 200 "$pid"; }';

function peerConfig(port, { daemon }) {
  const prefix = mkdtempSync(join(tmpdir(), 'rebind-bench-peer-'));
  const conf = join(prefix, 'nginx.conf');
  const write = (body) =>
    writeFileSync(
      conf,
      `daemon ${daemon ? 'on' : 'off'}; worker_processes 1; pid ${prefix}/nginx.pid; error_log ${prefix}/error.log;
events { worker_connections 64; }
http { access_log off;
  client_body_temp_path ${prefix}/cb; proxy_temp_path ${prefix}/p; fastcgi_temp_path ${prefix}/f;
  uwsgi_temp_path ${prefix}/u; scgi_temp_path ${prefix}/s;
  server { listen 127.0.0.1:${port}; location / { return 200 "${body}"; } } }\n`,
    );
  write('gen 0');
  return { prefix, conf, write, cleanup: () => rmSync(prefix, { recursive: true, force: true }) };
}

async function roundRobin(rows, count, smoke) {
  const perRound = smoke ? count : 10;
  for (let done = 0; done < count; done += perRound) {
    for (const row of rows) {
      for (let i = 0; i < Math.min(perRound, count - done); i++) {
        const t0 = performance.now();
        await row.fn();
        row.samples.push(performance.now() - t0);
      }
    }
  }
}

export default async function nginxRestart({ smoke, print, only }) {
  const problem = componentStatus('nginx');
  if (problem !== undefined) {
    print(`nginx-restart skipped: ${problem}`);
    return printTable('nginx restart (skipped)', [], { print });
  }
  const nginx = await findNginx();
  const count = smoke ? 3 : 200;
  // `--only=standby`: the standby rows alone.
  if (only === 'standby') return standbySection({ smoke, print, count });
  const peerCount = smoke ? 2 : 30;
  const cleanups = [];
  try {
    // Floor.
    const floorPort = await loopbackPort();
    const floorConfig = rawNginxConfig(floorPort);
    cleanups.push(floorConfig.cleanup);
    const rows = [
      { name: 'floor', samples: [], fn: () => rawNginxCycle(nginx.path, floorConfig, floorPort) },
    ];
    // rebind, one instance per strategy.
    for (const strategy of strategies) {
      const web = await startNginx({ snippet, restartStrategy: strategy });
      cleanups.push(() => web.stop());
      rows.push({ name: `rebind '${strategy}'`, samples: [], fn: () => web.restart() });
    }
    await roundRobin(rows, count, smoke);

    // Peers (slower: fewer samples).
    const peers = [];
    {
      const port = await loopbackPort();
      const config = peerConfig(port, { daemon: true });
      cleanups.push(config.cleanup);
      const args = ['-p', config.prefix, '-c', config.conf];
      await run(nginx.path, args);
      cleanups.push(() => run(nginx.path, [...args, '-s', 'stop']).catch(() => undefined));
      let bindFailures = 0;
      peers.push({
        name: 'nginx -s stop; sleep 0.1; nginx',
        samples: [],
        bindFailures: () => bindFailures,
        fn: async () => {
          await run(nginx.path, [...args, '-s', 'stop']);
          await new Promise((resolve) => setTimeout(resolve, 100));
          await run(nginx.path, args).catch(() => bindFailures++);
          await pollFirstAnswer(port);
        },
      });
    }
    {
      const port = await loopbackPort();
      const config = peerConfig(port, { daemon: false });
      cleanups.push(config.cleanup);
      let generation = 0;
      let stale = 0;
      const spawnNginx = () => {
        const child = spawn(nginx.path, ['-p', config.prefix, '-c', config.conf], {
          stdio: 'ignore',
        });
        const exited = new Promise((resolve) => child.once('exit', resolve));
        return { child, exited };
      };
      let current = spawnNginx();
      await pollFirstAnswer(port);
      cleanups.push(async () => {
        current.child.kill('SIGQUIT');
        await current.exited;
      });
      peers.push({
        name: 'wait-on restart',
        samples: [],
        stale: () => stale,
        fn: async () => {
          current.child.kill('SIGQUIT');
          config.write(`gen ${++generation}`);
          current = spawnNginx();
          await waitOn({
            resources: [`http-get://127.0.0.1:${port}/`],
            interval: 10,
            timeout: 10_000,
          });
          // wait-on may have seen the old nginx, which then closed before the new one
          // bound: a refused request counts as not the new instance's answer too (it
          // crashed the benchmark on a loaded machine).
          const body = await httpGet(port).then(
            (r) => r.body,
            () => 'refused',
          );
          if (body !== `gen ${generation}`) stale++;
        },
      });
    }
    await roundRobin(peers, peerCount, smoke);

    const floor = median(rows[0].samples);
    const all = [...rows, ...peers].map((r) => ({
      ...r,
      'p95/floor': quantile95(r.samples) / floor,
      'bind fails': r.bindFailures?.() ?? '',
      'old answers': r.stale?.() ?? '',
    }));
    const table = printTable('nginx restart: rebind per strategy, peers, floor (one run)', all, {
      baseline: 'floor',
      print,
      extra: ['p95/floor', 'bind fails', 'old answers'],
    });

    // A foreign listener on the port: time until REBIND_PORT_IN_USE names it (goal: < 1 s,
    // where nginx alone retries for 2.5 s).
    {
      const holder = createServer();
      const port = await loopbackPort();
      await new Promise((resolve) => holder.listen(port, '127.0.0.1', resolve));
      cleanups.push(() => new Promise((resolve) => holder.close(resolve)));
      const samples = [];
      for (let i = 0; i < (smoke ? 1 : 10); i++) {
        const t0 = performance.now();
        const error = await startNginx({ snippet, port }).then(
          (web) => web.stop().then(() => undefined),
          (e) => e,
        );
        samples.push(performance.now() - t0);
        if (!isRebindError(error, 'REBIND_PORT_IN_USE'))
          throw new Error(`expected REBIND_PORT_IN_USE, got ${error}`);
      }
      printTable(
        'startNginx on a port a foreign process holds: time to REBIND_PORT_IN_USE',
        [{ name: 'bind failure reported', samples }],
        { print },
      );
    }

    await standbySection({ smoke, print, count });

    // 'inherit' hand-off: a net.Server listening in the owner's event loop accepts some
    // connections itself (lost: nobody answers them); holdSocket() never accepts.
    for (const kind of ['net.Server in the owner loop', 'holdSocket()']) {
      const requests = smoke ? 20 : 200;
      const lost = await handOffLosses(nginx.path, kind === 'holdSocket()', requests);
      print(`inherit hand-off, ${kind}: ${lost} of ${requests} requests lost`);
    }

    // Count mode: consecutive 'wait' restarts on one port.
    const total = smoke ? 5 : 1000;
    const web = await startNginx({ snippet, restartStrategy: 'wait' });
    cleanups.push(() => web.stop());
    const port = web.port;
    let bindFailures = 0;
    let oldAnswers = 0;
    let otherFailures = 0;
    for (let i = 0; i < total; i++) {
      const before = processTree(web.pid);
      try {
        await web.restart();
      } catch (error) {
        if (isRebindError(error, 'REBIND_PORT_IN_USE')) bindFailures++;
        else otherFailures++;
        continue;
      }
      const worker = Number((await httpGet(port)).body);
      if (before.includes(worker) || !processTree(web.pid).includes(worker)) oldAnswers++;
    }
    print(
      `\n${total} consecutive 'wait' restarts on port ${port}: ${bindFailures} bind failures, ${oldAnswers} answers from an old instance, ${otherFailures} other failures`,
    );
    return table;
  } finally {
    for (const cleanup of cleanups.reverse()) await cleanup();
  }
}

function quantile95(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(0.95 * sorted.length) - 1))];
}

/** Hands a listening socket to nginx (NGINX="3;"), sends requests, counts the unanswered. */
async function handOffLosses(binary, held, requests) {
  let fd;
  let close;
  let port;
  if (held) {
    const socket = await holdSocket('127.0.0.1', await loopbackPort());
    ({ fd, port } = socket);
    close = () => socket.close();
  } else {
    const server = createServer();
    const accepted = new Set();
    server.on('connection', (socket) => accepted.add(socket));
    await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = server.address().port;
    fd = server._handle.fd;
    close = () =>
      new Promise((resolve) => {
        server.close(resolve);
        for (const socket of accepted) socket.destroy();
      });
  }
  const config = rawNginxConfig(port);
  const child = spawn(binary, ['-p', config.prefix, '-c', config.conf], {
    stdio: ['ignore', 'ignore', 'ignore', fd],
    env: { ...process.env, NGINX: '3;' },
  });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  let lost = 0;
  try {
    // the owner's own net.Server accepts some of these and never answers: retry soon
    await pollFirstAnswer(port, { requestMs: 300 });
    for (let i = 0; i < requests; i++) {
      await new Promise((resolve) => setImmediate(resolve));
      let timer;
      try {
        await Promise.race([
          httpGet(port),
          new Promise((_, reject) => {
            timer = setTimeout(() => reject(new Error('no answer')), 300);
          }),
        ]);
      } catch {
        lost++;
      } finally {
        clearTimeout(timer);
      }
    }
  } finally {
    child.kill('SIGQUIT');
    await exited;
    await close();
    config.cleanup();
  }
  return lost;
}

// Standby: restart() with the next instance already running, after a 25 ms pause that
// stands for a test's own work (goal: median <= 1 ms), beside 'fresh-port' without one;
// with the CPU time (this process and its reaped children, nginx included) per restart
// and the nginx processes running meanwhile.
async function standbySection({ smoke, print, count }) {
  const standbyRows = [];
  // The last row's pause outlasts a start on a loaded machine: restart() with the
  // standby surely ready, i.e. the swap alone.
  for (const [standby, pause, n] of [
    [false, 25, count],
    [true, 25, count],
    [true, 250, smoke ? count : 50],
  ]) {
    const count = n;
    const cpu0 = ownAndChildrenCpuMs();
    const web = await startNginx({ snippet, restartStrategy: 'fresh-port', standby });
    const samples = [];
    let processes = 0;
    let stale = 0;
    for (let i = 0; i < count; i++) {
      await new Promise((resolve) => setTimeout(resolve, pause));
      const t0 = performance.now();
      await web.restart();
      samples.push(performance.now() - t0);
      const worker = Number((await httpGet(web.port)).body);
      if (!processTree(web.pid).includes(worker)) stale++;
      if (i === Math.floor(count / 2)) processes = nginxProcessesUnder(web.prefix);
    }
    await web.stop();
    standbyRows.push({
      name: `${standby ? "'fresh-port' + standby" : "'fresh-port'"}, ${pause} ms pause`,
      samples,
      'cpu ms/restart': (ownAndChildrenCpuMs() - cpu0) / count,
      'nginx procs': processes,
      'old answers': stale,
    });
  }
  return printTable(
    "nginx restart() after a pause (a test's own work): with and without a standby (one run)",
    standbyRows,
    {
      baseline: "'fresh-port', 25 ms pause",
      print,
      extra: ['cpu ms/restart', 'nginx procs', 'old answers'],
    },
  );
}
