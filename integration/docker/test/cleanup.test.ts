// Nothing outlives its owner: a SIGKILLed owner's containers are removed by its watchdog,
// and containers of dead sessions are removed at the next start. Only rebind's own.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import Docker from 'dockerode';
import { removeStaleContainers } from '@rebind/docker';
import { requireComponent } from '@rebind/test-support';
import { leftovers, removeLeftovers, testLabel, testLabels } from './support.js';

const docker = new Docker();
const fixture = fileURLToPath(new URL('../fixtures/own-container.mjs', import.meta.url));
const bootId = () => readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
const startTime = (pid: number) => {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]!;
};
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', ''], { stdio: 'ignore' });
  await new Promise((resolve) => child.once('exit', resolve));
  return child.pid!;
}

async function labelled(labels: Record<string, string>): Promise<string> {
  const c = await docker.createContainer({
    Image: 'rebind/busybox:test',
    Cmd: ['sleep', '60'],
    Labels: { ...testLabels, ...labels },
  });
  return c.id;
}

describe.runIf(requireComponent('docker'))('clean-up', () => {
  afterAll(() => {
    expect(removeLeftovers()).toBe(0);
  });

  it('removes the containers of a SIGKILLed owner (its watchdog deletes them)', async () => {
    const run = `${testLabel}=${testLabels[testLabel]}-kill`;
    const owner = spawn(process.execPath, [fixture, run], { stdio: ['ignore', 'pipe', 'inherit'] });
    const id = await new Promise<string>((resolve, reject) => {
      let out = '';
      owner.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        if (out.includes('\n')) resolve(out.trim());
      });
      owner.once('exit', (code) => reject(new Error(`the owner exited early (${code})`)));
    });
    expect(leftovers(run)).toEqual([id.slice(0, 12)]);
    const exited = new Promise((resolve) => owner.once('exit', resolve));
    owner.kill('SIGKILL');
    await exited;
    for (let i = 0; i < 200 && leftovers(run).length > 0; i++) await sleep(50);
    expect(leftovers(run)).toEqual([]);
  });

  it('removeStaleContainers() removes dead sessions only, never anyone else', async () => {
    const gone = await deadPid();
    const common = { 'rebind.owner-boot': bootId(), 'rebind.started-at': new Date().toISOString() };
    const dead = await labelled({
      ...common,
      'rebind.session': `${gone}-dead`,
      'rebind.owner-pid': String(gone),
      'rebind.owner-start': '1',
    });
    const reused = await labelled({
      ...common,
      'rebind.session': `${process.pid}-reused`,
      'rebind.owner-pid': String(process.pid),
      'rebind.owner-start': '1',
    });
    const live = await labelled({
      ...common,
      'rebind.session': `${process.pid}-live`,
      'rebind.owner-pid': String(process.pid),
      'rebind.owner-start': startTime(process.pid),
    });
    const otherMachine = await labelled({
      ...common,
      'rebind.owner-boot': 'another-boot',
      'rebind.session': `${gone}-far`,
      'rebind.owner-pid': String(gone),
      'rebind.owner-start': '1',
    });
    const foreign = await labelled({});
    try {
      const removed = await removeStaleContainers();
      expect(removed.map((r) => r.id).sort()).toEqual([dead, reused].sort());
      expect(removed.find((r) => r.id === dead)?.why).toBe(`pid ${gone} is gone`);
      expect(removed.find((r) => r.id === reused)?.why).toBe(
        `pid ${process.pid} now belongs to another process`,
      );
      expect(leftovers().sort()).toEqual(
        [live, otherMachine, foreign].map((id) => id.slice(0, 12)).sort(),
      );
    } finally {
      await Promise.all(
        [dead, reused, live, otherMachine, foreign].map((id) =>
          docker
            .getContainer(id)
            .remove({ force: true })
            .catch(() => {}),
        ),
      );
    }
  });
});
