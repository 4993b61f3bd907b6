// globalSetup of the `shell` and `none` modes: the machine's nginx, daemonized, on a port
// found with listen(0), in a temp prefix, the way suites without rebind do it.
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { loopbackPort, pollFirstAnswer, rawNginxConfig } from '../../lib/raw-nginx.js';

export default async function setup(project) {
  const port = await loopbackPort();
  const config = rawNginxConfig(port);
  // rawNginxConfig writes `daemon off`; the shell way runs nginx daemonized.
  const conf = config.conf.replace(/nginx\.conf$/, 'shell.conf');
  const { readFileSync, writeFileSync } = await import('node:fs');
  writeFileSync(
    conf,
    readFileSync(config.conf, 'utf8')
      .replace('daemon off;', 'daemon on;')
      .replace('return 200 "raw"', 'return 200 "$pid\\n"'),
  );
  const nginx = ['-p', config.prefix, '-c', conf, '-e', `${config.prefix}/error.log`];
  execFileSync('nginx', nginx);
  await pollFirstAnswer(port);
  project.provide('benchNginx', { port, args: nginx });
  return async () => {
    try {
      execFileSync('nginx', [...nginx, '-s', 'stop']);
    } catch {
      // already gone
    }
    for (let i = 0; i < 200; i++) {
      try {
        process.kill(Number(readFileSync(`${config.prefix}/nginx.pid`, 'utf8')), 0);
        await new Promise((r) => setTimeout(r, 10));
      } catch {
        break;
      }
    }
    rmSync(config.prefix, { recursive: true, force: true });
  };
}
