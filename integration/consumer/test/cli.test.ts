// A shell user: `npm install -D @rebind/cli` in a fresh project, then the `rebind` command
// as its README shows it, against a real listener.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProject, packAll, type Project } from './project.js';
import { readmeBlock } from './readme.js';

const readme = 'packages/cli/README.md';

describe('the rebind command, installed from the packed tarball', () => {
  const packed = mkdtempSync(join(tmpdir(), 'rebind-packed-'));
  let project: Project;
  let server: ChildProcess | undefined;

  beforeAll(async () => {
    project = await createProject(await packAll(packed), ['@rebind/cli']);
  });
  afterAll(() => {
    server?.kill('SIGKILL');
    project?.remove();
    rmSync(packed, { recursive: true, force: true });
  });

  it('prints its usage', async () => {
    const r = await project.run('rebind', ['--help']);
    expect(r.output).toMatch(/^Usage: rebind <command> \[options\]/);
    expect(r.code).toBe(0);
  });

  it('who, wait and port --hold as the README shows them', async () => {
    const free = await project.run('rebind', ['port', '--json']);
    expect(free.code).toBe(0);
    const [port] = JSON.parse(free.output.slice(0, free.output.indexOf('\n'))) as [number];
    server = spawn(
      process.execPath,
      [
        '-e',
        `require('node:http').createServer().listen(${port}, '127.0.0.1', () => console.log('up'))`,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    await once(server.stdout!, 'data');

    const who = await project.run('rebind', ['who', String(port)]);
    expect(who.code).toBe(0);
    // the README's sample output: the same tables and the same shell advice
    const sample = readmeBlock(readme, 'sh', '$ rebind who').split('\n');
    const header = (text: string) =>
      text
        .split('\n')
        .find((l) => l.startsWith('STATE'))
        ?.split(/\s+/);
    expect(header(who.output)).toEqual(header(sample.join('\n')));
    expect(sample.join(' ')).toContain('(`rebind wait 18765 --free`)');
    expect(who.output.replace(/\s+/g, ' ')).toContain(`(\`rebind wait ${port} --free\`)`);
    expect(who.output).toContain(`pid ${server.pid} (`);

    const listening = await project.run('rebind', [
      'wait',
      String(port),
      '--listening',
      '--pid',
      String(server.pid),
    ]);
    expect(listening.code).toBe(0);
    server.kill('SIGTERM');
    await once(server, 'exit');
    server = undefined;
    const gone = await project.run('rebind', [
      'wait',
      String(port),
      '--free',
      '--timeout',
      '10000',
    ]);
    expect(gone.code).toBe(0);

    const held = await project.run('rebind', [
      'port',
      '--hold',
      '--',
      process.execPath,
      '-p',
      'process.env.PORT',
    ]);
    expect(held.output).toMatch(/^\d+\n$/);
    expect(held.code).toBe(0);
  });

  it('a usage message for a missing `--`', async () => {
    const r = await project.run('rebind', ['port', '--hold', 'node', '-e', '1']);
    expect(r.output).toBe(
      'rebind port: --hold runs the command given after `--`. Run: rebind port --hold -- node -e 1\nUsage: rebind port --hold [--count N] [--host <address>] [--range <low>-<high>] -- <command ...>\n',
    );
    expect(r.code).toBe(2);
  });
});
