// A container the engine forgot: running in the engine's containerd (namespace moby),
// unknown to dockerd, as issue 16 saw after an engine restart mid-run. Made here with
// ctr directly in a private engine's containerd (an image imported into its moby
// namespace), with the REBIND_OWNER env and hostname token rebind's containers carry, of a
// process that is gone: deterministic, where killing dockerd mid-start leaves one in some
// runs only. removeStaleContainers() must kill and delete it, and leave alone a container
// without rebind's env (even with an rb- hostname) and one of a live owner; a handle, after
// an engine failure, must remove its own such container and not another handle's.
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { isRebindError } from '@rebind/core';
import { findLeftoverContainers, removeStaleContainers, startContainer } from '@rebind/docker';
import { requireComponent, startPrivateEngine, type PrivateEngine } from '@rebind/test-support';

let engine: PrivateEngine | undefined;
/** The ctr containers the test made (ctrRunner), for its clean-up (removeMade). */
const made: string[] = [];
afterEach(async () => {
  await engine?.remove();
  engine = undefined;
});

const startTime = (pid: number) => {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] as string;
};

/** The REBIND_OWNER value rebind gives a container of process `pid` (started at `start`). */
const ownerEnv = (pid: number, start: string) =>
  `REBIND_OWNER=${new URLSearchParams({
    'rebind.session': `${pid}-${randomBytes(4).toString('hex')}`,
    'rebind.owner-pid': String(pid),
    'rebind.owner-start': start,
    'rebind.owner-boot': readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim(),
    'rebind.owner-pidns': readlinkSync('/proc/self/ns/pid'),
    'rebind.started-at': new Date().toISOString(),
    'rebind.handle': `${pid}-x-1`,
  }).toString()}`;

/** A process that has come and gone: its pid and start time. */
async function deadProcess(): Promise<{ pid: number; start: string }> {
  const child = spawn('sleep', ['60'], { stdio: 'ignore' });
  const pid = child.pid as number;
  const start = startTime(pid);
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  await exited;
  return { pid, start };
}

/** Imports rebind/busybox:test into the engine's containerd (moby); runs `sleep` there with `env`. */
async function ctrRunner(
  engine: PrivateEngine,
): Promise<(id: string, env: readonly string[]) => void> {
  execFileSync('sh', [
    '-c',
    'docker --host "$1" save rebind/busybox:test | ctr --address "$2" --namespace moby images import -',
    'sh',
    engine.dockerHost,
    join(engine.dir, 'exec/containerd/containerd.sock'),
  ]);
  const image = engine
    .ctr(['images', 'list', '--quiet'])
    .split('\n')
    .find((ref) => ref.endsWith('rebind/busybox:test')) as string;
  return (id, env) => {
    made.push(id);
    engine.ctr(['run', '--detach', ...env.flatMap((e) => ['--env', e]), image, id, 'sleep', '300']);
  };
}

const token = () => `HOSTNAME=rb-${randomBytes(6).toString('hex')}`;
const tasks = () => engine?.ctr(['tasks', 'list', '--quiet']).split('\n').filter(Boolean).sort();
const containers = () =>
  engine?.ctr(['containers', 'list', '--quiet']).split('\n').filter(Boolean).sort();

/**
 * Removes the containers the test made that are still there: rebind is to leave some alone,
 * and the test's own clean-up takes those away. One already gone is no error here: every
 * test asserts which of its containers must still be there before it ends (so this hides
 * no wrong removal), and a step that failed before `run` made one must show its own error,
 * not this hook's.
 */
const removeMade = () => {
  const ids = made.splice(0);
  const running = new Set(tasks());
  for (const id of ids.filter((i) => running.has(i)))
    engine?.ctr(['tasks', 'delete', '--force', id]);
  const present = new Set(containers());
  for (const id of ids.filter((i) => present.has(i))) engine?.ctr(['containers', 'delete', id]);
};

const canRun = requireComponent('docker') && process.getuid?.() === 0;

describe.runIf(canRun)('a container the engine forgot (containerd only)', () => {
  // Before the file's afterEach (hooks run as a stack): the engine is still up.
  afterEach(removeMade);

  it('removeStaleContainers() kills and deletes a dead owner’s, and leaves others alone', async () => {
    engine = await startPrivateEngine({ images: ['rebind/busybox:test'] });
    const run = await ctrRunner(engine);
    const dead = await deadProcess();
    run('orphan-dead', [token(), ownerEnv(dead.pid, dead.start)]);
    run('foreign', [token()]);
    run('orphan-live', [token(), ownerEnv(process.pid, startTime(process.pid))]);
    expect(tasks()).toEqual(['foreign', 'orphan-dead', 'orphan-live']);
    expect(engine.docker(['ps', '-aq']).trim()).toBe('');

    const removed = await removeStaleContainers({ dockerHost: engine.dockerHost });

    expect(removed.map((c) => [c.id, c.why])).toEqual([
      ['orphan-dead', `pid ${dead.pid} is gone (in containerd only)`],
    ]);
    expect(tasks()).toEqual(['foreign', 'orphan-live']);
    expect(containers()).toEqual(['foreign', 'orphan-live']);
  });

  it('after an engine failure, a handle removes its own forgotten container, not another handle’s', async () => {
    engine = await startPrivateEngine({ images: ['rebind/busybox:test', 'rebind/nginx:test'] });
    const run = await ctrRunner(engine);
    const handle = await startContainer({
      image: 'rebind/nginx:test',
      ports: [80],
      dockerHost: engine.dockerHost,
    });
    try {
      // The handle's own identity, as its containers carry it: a container of this handle
      // that the engine lost (as after a restart mid-create), and one of another handle.
      const labels = JSON.parse(
        engine.docker(['inspect', '--format', '{{json .Config.Labels}}', handle.id]),
      ) as Record<string, string>;
      const owner = (handleId: string) =>
        `REBIND_OWNER=${new URLSearchParams({ ...labels, 'rebind.handle': handleId }).toString()}`;
      run('lost', [token(), owner(labels['rebind.handle'] as string)]);
      run('other-handle', [token(), owner(`${labels['rebind.session']}-999`)]);

      await engine.stop();
      const error: unknown = await handle.restart().catch((e: unknown) => e);
      expect(isRebindError(error, 'REBIND_DOCKER_UNAVAILABLE'), String(error)).toBe(true);
      await engine.start();
      expect(tasks()).toEqual(['lost', 'other-handle']);

      await handle.restart();

      // (and the handle's new container, which the engine knows)
      expect(tasks()).toContain('other-handle');
      expect(tasks()).not.toContain('lost');
      expect(containers()).toContain('other-handle');
      expect(containers()).not.toContain('lost');
    } finally {
      await handle.stop();
    }
    // stop() sweeps again (the handle failed once): still not another handle's.
    expect(tasks()).toEqual(['other-handle']);
    expect(containers()).toEqual(['other-handle']);
    // It is of this process's session: what the runner's summary counts as a leftover.
    expect(await findLeftoverContainers({ dockerHost: engine.dockerHost })).toEqual([
      { id: 'other-handle', name: expect.stringMatching(/^rb-/) as string, where: 'containerd' },
    ]);
  });
});
