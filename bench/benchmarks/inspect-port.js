// "Who holds port P?" with owners: rebind's inspectPort beside `ss -Htanp` (all sockets,
// as the issue states it, and filtered to the port), `lsof -nP -iTCP:P`, pid-port and
// find-process, with ~10 and ~5,000 TCP sockets open on the machine (held by one helper
// process this benchmark spawns and ends).
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { inspectPort } from '@rebind/core';
import findProcess from 'find-process';
import { portToPid } from 'pid-port';
import { startSocketFarm } from '../lib/socket-farm.js';
import { median, printTable } from '../lib/stats.js';

const run = promisify(execFile);

/** The machine's TCP sockets in use and in TIME_WAIT (/proc/net/sockstat). */
function tcpCounts() {
  const line = readFileSync('/proc/net/sockstat', 'utf8').match(
    /^TCP: inuse (\d+) orphan \d+ tw (\d+)/m,
  );
  return { inuse: Number(line?.[1] ?? 0), tw: Number(line?.[2] ?? 0) };
}

/**
 * Every socket on the port is asked for, so the kernel walks every TCP socket (TIME_WAIT
 * included) once per family: an earlier benchmark's 30,000 TIME_WAIT sockets would change
 * the condition measured. Wait (up to 65 s, TIME_WAIT lasts 60 s) until few are left.
 */
async function settleTimeWait(print) {
  const start = tcpCounts().tw;
  if (start <= 2000) return;
  print(`waiting for ${start} TIME_WAIT sockets of earlier runs to expire...`);
  for (let i = 0; i < 65 && tcpCounts().tw > 2000; i++) await sleep(1000);
}
const find = findProcess.default ?? findProcess;

export default async function inspectPortBenchmark({ smoke, print }) {
  const results = [];
  if (!smoke) await settleTimeWait(print);
  for (const sockets of smoke ? [10] : [10, 5000]) {
    const farm = await startSocketFarm(smoke ? 6 : sockets);
    try {
      const port = farm.watched;
      const n = smoke ? 3 : sockets > 1000 ? 30 : 100;
      const opts = { warmup: smoke ? 1 : 3 };
      const check = await inspectPort(port);
      if (!check.sockets.some((s) => s.state === 'LISTEN' && s.pid === farm.pid)) {
        throw new Error(`inspectPort did not name the farm (pid ${farm.pid}) on port ${port}`);
      }
      // Interleaved: each round runs every tool once, so load from other processes on the
      // machine falls on all of them alike.
      const tools = [
        ['inspectPort', () => inspectPort(port)],
        ['ss -Htanp', () => run('ss', ['-Htanp'], { maxBuffer: 1 << 26 })],
        ['ss -Htanp sport', () => run('ss', ['-Htanp', `sport = :${port}`])],
        ['lsof -iTCP:P', () => run('lsof', ['-nP', `-iTCP:${port}`])],
        ['pid-port', () => portToPid(port)],
        ['find-process', () => find('port', port)],
      ];
      const rows = tools.map(([name]) => ({ name, samples: [] }));
      for (let round = -opts.warmup; round < n; round++) {
        for (const [i, [, fn]] of tools.entries()) {
          const t0 = performance.now();
          await fn();
          if (round >= 0) rows[i].samples.push(performance.now() - t0);
        }
      }
      const { inuse, tw } = tcpCounts();
      const title = `inspectPort with owners vs peers, ${smoke ? 'smoke' : `~${sockets}`} sockets open (port ${port}; machine: ${inuse} TCP sockets in use, ${tw} in TIME_WAIT)`;
      results.push(...printTable(title, rows, { baseline: 'inspectPort', print }));
      const ir = median(rows[0].samples);
      print(
        `ratios: ss -Htanp / inspectPort = ${(median(rows[1].samples) / ir).toFixed(2)}x, ` +
          `pid-port / inspectPort = ${(median(rows[4].samples) / ir).toFixed(2)}x ` +
          '(goal: >= 1x and >= 2x)',
      );
    } finally {
      await farm.stop();
    }
  }
  return results;
}
