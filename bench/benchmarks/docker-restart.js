// Container restarts on a published port, against the floor measured in the same run:
// - floor: `docker rm -f` + `docker run -p` + the first HTTP answer through the published
//   port, with the CLI (no rebind code);
// - rebind restart() on the same fixed host port (goal: median <= 1.1x the floor);
// - rebind restart() with an 'auto' port and with a remapped port (goal: <= the floor);
// - count mode: N fixed-port restarts, counting "port is already allocated", answers from
//   an old container (each instance serves its own hostname token) and containers left
//   (1,000 restarts; REBIND_BENCH_DOCKER_RESTARTS=N for another count).
// Each rebind row times restart() plus the first HTTP answer, like the floor.
import { execFileSync } from 'node:child_process';
import { createServer } from 'node:net';
import { componentStatus } from '@rebind/test-support';
import { startContainer } from '@rebind/docker';
import { httpGet, loopbackPort, pollFirstAnswer } from '../lib/raw-nginx.js';
import { printTable, sample } from '../lib/stats.js';

const label = `rebind.bench=docker-restart-${process.pid}`;
const labels = { 'rebind.bench': `docker-restart-${process.pid}` };
const left = () =>
  execFileSync('docker', ['ps', '-aq', '--filter', `label=${label}`], { encoding: 'utf8' })
    .split('\n')
    .filter(Boolean);

async function rebindRow(name, options, count, warmup, before) {
  const container = await startContainer({ image: 'rebind/nginx:test', labels, ...options });
  try {
    const samples = await sample(
      count,
      async () => {
        await container.restart();
        await httpGet(container.portOf(80), '/');
      },
      { warmup },
    );
    return { name, samples, port: before?.() ?? '' };
  } finally {
    await container.stop();
  }
}

export default async function dockerRestart({ smoke, print }) {
  const problem = componentStatus('docker');
  if (problem !== undefined) {
    print(`docker-restart skipped: ${problem}`);
    return printTable('docker restart (skipped)', [], { print });
  }
  const count = smoke ? 2 : 30;
  const warmup = smoke ? 0 : 2;
  const rows = [];
  const holder = createServer();
  try {
    // The floor, with the CLI.
    const floorPort = await loopbackPort();
    const floorName = `rebind-bench-restart-floor-${process.pid}`;
    const floorCycle = async () => {
      execFileSync('docker', ['rm', '-f', floorName], { stdio: 'ignore' });
      execFileSync(
        'docker',
        [
          'run',
          '-d',
          '--name',
          floorName,
          '--label',
          label,
          '-p',
          `127.0.0.1:${floorPort}:80`,
          'rebind/nginx:test',
        ],
        { stdio: 'ignore' },
      );
      await pollFirstAnswer(floorPort, { intervalMs: 2, deadlineMs: 20_000 });
    };
    try {
      rows.push({
        name: 'floor: CLI rm -f + run -p',
        samples: await sample(count, floorCycle, { warmup: 1 }),
      });
    } finally {
      execFileSync('docker', ['rm', '-f', floorName], { stdio: 'ignore' });
    }

    const fixedPort = await loopbackPort();
    rows.push(
      await rebindRow(
        'rebind restart, fixed port',
        { ports: [{ container: 80, host: fixedPort }] },
        count,
        warmup,
      ),
    );
    rows.push(
      await rebindRow(
        "rebind restart, 'auto' port",
        { ports: [{ container: 80, host: 'auto' }] },
        count,
        warmup,
      ),
    );
    // 'remap': a host process holds the asked port.
    const heldPort = await loopbackPort();
    await new Promise((resolve) => holder.listen(heldPort, '127.0.0.1', resolve));
    rows.push(
      await rebindRow(
        "rebind restart, 'remap'ed port",
        { ports: [{ container: 80, host: heldPort }], onPortConflict: 'remap' },
        count,
        warmup,
      ),
    );
  } finally {
    holder.close();
  }
  const result = printTable('docker restart: restart + first HTTP answer (ms)', rows, {
    baseline: 'floor: CLI rm -f + run -p',
    print,
  });

  // Count mode: fixed-port restarts, every answer checked against the new token.
  const restarts = smoke ? 2 : Number(process.env.REBIND_BENCH_DOCKER_RESTARTS ?? 1000);
  let allocated = 0;
  let oldAnswers = 0;
  let otherErrors = 0;
  const port = await loopbackPort();
  const container = await startContainer({
    image: 'rebind/nginx:test',
    labels,
    ports: [{ container: 80, host: port }],
  });
  const started = performance.now();
  try {
    for (let i = 0; i < restarts; i++) {
      const previous = container.token;
      try {
        await container.restart();
      } catch (error) {
        if (String(error?.message).includes('port is already allocated')) allocated++;
        else otherErrors++;
        print(`restart ${i} failed: ${error?.message}`);
        break;
      }
      const { body } = await httpGet(port, '/');
      if (!body.includes(container.token) || body.includes(previous)) oldAnswers++;
    }
  } finally {
    await container.stop();
  }
  const remaining = left().length;
  print(
    `\n${restarts} fixed-port restarts in ${((performance.now() - started) / 1000).toFixed(1)} s: ` +
      `${allocated} "port is already allocated", ${oldAnswers} answers from an old container, ` +
      `${otherErrors} other failures, ${remaining} containers left`,
  );
  return result;
}
