// The physical floors other benchmarks are compared with, measured here:
// - nginx: spawn, first HTTP answer, QUIT, exit (the machine's nginx, no rebind code);
// - docker: `docker rm -f` + `docker run -p` + first HTTP answer through the published
//   port, with the CLI (the offline rebind/nginx:test image).
import { execFileSync } from 'node:child_process';
import { componentStatus } from '@rebind/test-support';
import { findNginx } from '@rebind/nginx';
import { loopbackPort, pollFirstAnswer, rawNginxConfig, rawNginxCycle } from '../lib/raw-nginx.js';
import { printTable, sample } from '../lib/stats.js';

export default async function floors({ smoke, print }) {
  const rows = [];
  const nginxProblem = componentStatus('nginx');
  if (nginxProblem === undefined) {
    const nginx = await findNginx();
    const port = await loopbackPort();
    const config = rawNginxConfig(port);
    try {
      rows.push({
        name: 'nginx cycle',
        samples: await sample(smoke ? 3 : 200, () => rawNginxCycle(nginx.path, config, port), {
          warmup: smoke ? 1 : 10,
        }),
      });
    } finally {
      config.cleanup();
    }
  } else print(`nginx floor skipped: ${nginxProblem}`);

  const dockerProblem = componentStatus('docker');
  if (dockerProblem === undefined) {
    const port = await loopbackPort();
    const name = `rebind-bench-floor-${process.pid}`;
    const cycle = async () => {
      execFileSync('docker', ['rm', '-f', name], { stdio: 'ignore' });
      execFileSync(
        'docker',
        [
          'run',
          '-d',
          '--name',
          name,
          '--label',
          'rebind.bench=floors',
          '-p',
          `127.0.0.1:${port}:80`,
          'rebind/nginx:test',
        ],
        { stdio: 'ignore' },
      );
      await pollFirstAnswer(port, { intervalMs: 2, deadlineMs: 20_000 });
    };
    try {
      rows.push({
        name: 'docker CLI cycle',
        samples: await sample(smoke ? 2 : 30, cycle, { warmup: 1 }),
      });
    } finally {
      execFileSync('docker', ['rm', '-f', name], { stdio: 'ignore' });
    }
  } else print(`docker floor skipped: ${dockerProblem}`);

  return printTable('Floors (no rebind code)', rows, { print });
}
