import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { describe, expect, it } from 'vitest';
import { listProcesses, requireComponent } from '@rebind/test-support';
import { SMOKE_LABEL, smokeContainer, smokeNginx } from '../src/smoke.js';

const smokeDirs = () => readdirSync(tmpdir()).filter((d) => d.startsWith('rebind-smoke-nginx-'));

describe.runIf(requireComponent('nginx'))('the machine nginx', () => {
  it('starts on a loopback port with a generated config, answers, and leaves nothing behind', async () => {
    const dirsBefore = smokeDirs();
    const result = await smokeNginx();
    expect(result.body).toMatch(/^rebind-smoke [0-9a-f]{16}$/);
    expect(result.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    const port = new URL(result.url).port;
    expect(
      listProcesses().filter(
        (p) => p.args.startsWith('nginx:') && p.args.includes('rebind-smoke-nginx-'),
      ),
    ).toEqual([]);
    await expect(fetch(result.url)).rejects.toThrow();
    expect(smokeDirs()).toEqual(dirsBefore);
    expect(port).not.toBe('');
  });
});

describe.runIf(requireComponent('docker'))('a container from the offline nginx image', () => {
  it('answers through its published port and is removed', async () => {
    const result = await smokeContainer();
    expect(result.body).toMatch(/^rebind-nginx [0-9a-f]{12}$/);
    await expect(fetch(result.url)).rejects.toThrow();
    const left = execFileSync(
      'docker',
      ['ps', '-aq', '--filter', `label=${SMOKE_LABEL}=${process.pid}`],
      { encoding: 'utf8' },
    );
    expect(left.trim()).toBe('');
  });
});
