// A compose project with a standby: each instance is its own project on ports the engine
// picks (the file's fixed "P:80" included), each restart swaps in one that was up and
// ready beside the current one, which no request reached before the swap (counted from its
// container's own request log), and nothing is left after stop.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startCompose, type StartedCompose } from '@rebind/docker';
import { requireComponent } from '@rebind/test-support';
import { freePort, leftovers, removeLeftovers, testLabel, testLabels, text } from './support.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const docker = (...args: string[]) =>
  execFileSync('docker', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

/** The id of the instance's one container (by the token label rebind gives it). */
const containerOf = (project: StartedCompose) =>
  docker('ps', '-q', '--no-trunc', '--filter', `label=rebind.token=${project.token}`).trim();
// busybox httpd logs every request (`url:/...`) on stderr; it serves its hostname.
const requestsOf = (id: string) => {
  const logs = spawnSync('docker', ['logs', id], { encoding: 'utf8' });
  return `${logs.stdout}${logs.stderr}`.match(/url:\//g)?.length ?? 0;
};

describe.runIf(requireComponent('docker', 'docker-compose'))('startCompose with a standby', () => {
  let dir = '';
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'rebind-it-compose-standby-'));
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
    expect(removeLeftovers()).toBe(0);
  });

  it('swaps in a pristine project at each restart, on engine-picked ports', async () => {
    const fixed = await freePort();
    const file = join(dir, 'compose.yml');
    writeFileSync(
      file,
      [
        'version: "3.8"',
        'services:',
        '  web:',
        '    image: rebind/busybox:test',
        `    command: ["sh", "-c", "cat /etc/hostname > /www/index.html && exec httpd -f -vv -p 80 -h /www"]`,
        '    labels:',
        `      ${testLabel}: "${testLabels[testLabel]}"`,
        '    ports:',
        `      - "${fixed}:80"`,
        '',
      ].join('\n'),
    );
    const project = await startCompose({ files: [file], standby: true });
    const base = project.projectName.replace(/-1$/, '');
    const seen = new Set<string>();
    try {
      for (let i = 1; i <= 4; i++) {
        expect(project.projectName).toBe(`${base}-${i}`);
        // Engine-picked: never the file's fixed port, and new at each instance.
        expect(project.port).not.toBe(fixed);
        expect(seen.has(`port ${project.port}`)).toBe(false);
        seen.add(`port ${project.port}`);
        const id = containerOf(project);
        expect(id).toMatch(/^[0-9a-f]{64}$/);
        // Its first answer is its own: the hostname of the container with this token.
        expect(await text(project.urlOf('web', 80))).toBe(id.slice(0, 12));
        // Once its log shows the test's request it shows any earlier one too: none.
        await vi.waitFor(() => expect(requestsOf(id)).toBeGreaterThan(0), { timeout: 10_000 });
        expect(requestsOf(id)).toBe(1);
        await sleep(25); // a test's own work, while the next standby comes up
        await project.restart();
      }
      // The current project and its standby, nothing else.
      expect(leftovers()).toHaveLength(2);
    } finally {
      await project.stop();
    }
    expect(leftovers()).toEqual([]);
    const networks = docker('network', 'ls', '--format', '{{.Name}}').split('\n');
    expect(networks.filter((n) => n.startsWith(`${base}-`))).toEqual([]);
  });

  it('is refused with an unknown option next to it, naming the closest one', async () => {
    await expect(startCompose({ files: ['x.yml'], standy: true } as never)).rejects.toThrow(
      'Unknown option `standy` of startCompose. Did you mean `standby`?',
    );
  });
});
