// A helper process holding `count` TCP sockets on loopback (a listener and count/2
// connections to it), plus a "watched" listener with a few connections: the load the
// watcher benchmarks run under. One process, spawned and ended by its pid.
import { spawn } from 'node:child_process';

const script = `
const net = require('node:net');
const count = Number(process.argv[1]);
const keep = [];
const listen = (host) => new Promise((r) => { const s = net.createServer((c) => { c.on('error', () => {}); keep.push(c); }); s.listen(0, host, () => r(s)); });
(async () => {
  const farm = await listen('127.0.0.1');
  const watched = await listen('127.0.0.1');
  const connect = (port) => new Promise((r) => { const c = net.connect(port, '127.0.0.1', () => r(c)); c.on('error', () => {}); keep.push(c); });
  for (let i = 0; i < Math.floor(count / 2); i++) await connect(farm.address().port);
  for (let i = 0; i < 3; i++) await connect(watched.address().port);
  process.stdout.write(JSON.stringify({ farm: farm.address().port, watched: watched.address().port }) + '\\n');
})();
`;

/** Starts the farm; resolves to `{ pid, farm, watched, stop() }`. */
export function startSocketFarm(count) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', script, String(count)], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
      if (!out.includes('\n')) return;
      const ports = JSON.parse(out);
      resolve({
        pid: child.pid,
        ...ports,
        stop: () =>
          new Promise((r) => {
            if (child.exitCode !== null) return r();
            child.once('exit', () => r());
            child.kill('SIGKILL');
          }),
      });
    });
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`socket farm exited early (${code})`)));
  });
}
