// The compose seed: a file with "P:80" does not come up because P is taken. rebind names
// the holder, or remaps P through a generated compose file; down() removes everything.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isRebindError } from '@rebind/core';
import { startCompose, startContainer } from '@rebind/docker';
import { requireComponent } from '@rebind/test-support';
import { freePort, leftovers, removeLeftovers, testLabel, testLabels, text } from './support.js';

describe.runIf(requireComponent('docker', 'docker-compose'))('startCompose', () => {
  let dir = '';
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'rebind-it-compose-'));
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
    expect(removeLeftovers()).toBe(0);
  });

  function composeFile(port: number): string {
    const file = join(dir, `compose-${port}.yml`);
    writeFileSync(
      file,
      [
        'version: "3.8"',
        'services:',
        '  web:',
        '    image: rebind/nginx:test',
        '    labels:',
        `      ${testLabel}: "${testLabels[testLabel]}"`,
        '    ports:',
        `      - "${port}:80"`,
        '  side:',
        '    image: rebind/busybox:test',
        '    labels:',
        `      ${testLabel}: "${testLabels[testLabel]}"`,
        '    ports:',
        '      - "80"',
        '',
      ].join('\n'),
    );
    return file;
  }

  it('"P:80" with P held: names the holder, or remaps P and serves on the new port', async () => {
    const port = await freePort();
    await using holder = await startContainer({
      image: 'rebind/nginx:test',
      labels: testLabels,
      hostIp: '0.0.0.0',
      ports: [{ container: 80, host: port }],
    });
    const file = composeFile(port);

    const error: unknown = await startCompose({ files: [file] }).catch((e: unknown) => e);
    expect(isRebindError(error, 'REBIND_PORT_IN_USE')).toBe(true);
    expect((error as Error).message).toBe(
      `Compose service web asks for host port 0.0.0.0:${port} (container port 80), held by container ${holder.name} (id ${holder.id.slice(0, 12)}, image rebind/nginx:test), started by this process. Stop it first (await its stop()), or let rebind choose another port (onPortConflict: 'remap').`,
    );
    expect(leftovers()).toEqual([holder.id.slice(0, 12)]);

    const project = await startCompose({ files: [file], onPortConflict: 'remap' });
    try {
      const webPort = project.portOf('web', 80);
      expect(webPort).not.toBe(port);
      expect(project.remappedPorts).toEqual([
        {
          service: 'web',
          containerPort: 80,
          requested: port,
          port: webPort,
          holder: `container ${holder.name} (id ${holder.id.slice(0, 12)}, image rebind/nginx:test), started by this process`,
        },
      ]);
      expect(await text(project.urlOf('web', 80))).toMatch(/^rebind-nginx [0-9a-f]{12}$/);
      expect(await text(project.urlOf('side', 80))).toBe('rebind-busybox');
      expect(leftovers()).toHaveLength(3);
    } finally {
      await project.down();
    }
    expect(leftovers()).toEqual([holder.id.slice(0, 12)]);
    const networks = execFileSync(
      'docker',
      [
        'network',
        'ls',
        '-q',
        '--filter',
        `label=com.docker.compose.project=${project.projectName}`,
      ],
      { encoding: 'utf8' },
    );
    expect(networks.trim()).toBe('');
    await project.down();
  });
});
