// The docker/ and scripts/ set-up steps are idempotent and say exactly what is missing.
import { execFile } from 'node:child_process';
import { chmodSync, copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { requireComponent } from '@rebind/test-support';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../../../', import.meta.url));

/**
 * Runs a set-up script. As nobody (uid 65534) it runs a copy in a fresh temp dir, from
 * there: the clone may sit under a directory nobody cannot enter (root's home is 0700).
 */
async function script(path: string, options: { env?: NodeJS.ProcessEnv; asNobody?: boolean } = {}) {
  const dir = options.asNobody ? mkdtempSync(join(tmpdir(), 'rebind-smoke-')) : undefined;
  const file = dir === undefined ? `${root}${path}` : join(dir, basename(path));
  if (dir !== undefined) {
    copyFileSync(`${root}${path}`, file);
    chmodSync(dir, 0o755);
  }
  const command = options.asNobody ? 'setpriv' : 'bash';
  const args = options.asNobody
    ? ['--reuid=65534', '--regid=65534', '--clear-groups', 'bash', file]
    : [file];
  try {
    const { stdout, stderr } = await run(command, args, {
      cwd: dir,
      env: { ...process.env, ...options.env },
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  } finally {
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  }
}

describe.runIf(requireComponent('docker'))(
  'docker/ scripts on a machine where the engine runs',
  () => {
    it('start-engine.sh uses the running engine as it is', async () => {
      const r = await script('docker/start-engine.sh');
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/^start-engine: a Docker engine already answers \(\d+\.\d+/);
    });

    it('build-images.sh rebuilds nothing that is up to date', async () => {
      const r = await script('docker/build-images.sh');
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/rebind\/busybox:test is up to date \([0-9a-f]{16}\)/);
      expect(r.stdout).toMatch(/rebind\/nginx:test is up to date \([0-9a-f]{16}\)/);
    });
  },
);

describe.runIf(process.getuid?.() === 0)('set-up scripts without the rights they need', () => {
  it('start-engine.sh names the missing privilege and the fix', async () => {
    const r = await script('docker/start-engine.sh', {
      asNobody: true,
      env: { DOCKER_HOST: 'unix:///nonexistent/docker.sock' },
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      'start-engine: no Docker engine answers and starting dockerd needs root (you are uid 65534). Fix: sudo bash',
    );
  });

  it('start-engine.sh refuses to start a remote engine it cannot reach', async () => {
    const r = await script('docker/start-engine.sh', { env: { DOCKER_HOST: 'tcp://127.0.0.1:1' } });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      'start-engine: DOCKER_HOST=tcp://127.0.0.1:1 does not answer, and a remote engine cannot be started from here.',
    );
  });

  it('build-images.sh says how to start the engine when none answers', async () => {
    const r = await script('docker/build-images.sh', {
      env: { DOCKER_HOST: 'unix:///nonexistent/docker.sock' },
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /^build-images: no Docker engine answers\. Fix: bash .*docker\/start-engine\.sh/,
    );
  });
});
