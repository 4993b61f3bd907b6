// A Vitest user with nginx only: `npm install -D @rebind/vitest vitest` in a fresh project,
// the README's config and test, and what that install weighs. No Docker client comes with
// it; a container declared anyway names the package to install.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireComponent } from '@rebind/test-support';
import { footprint, formatFootprint } from './footprint.js';
import { createProject, packAll, workspaceRange, type Project } from './project.js';
import { readmeBlock } from './readme.js';

const hasNginx = requireComponent('nginx');
// Debian's libnginx-mod-http-echo (scripts/prepare-system.sh installs it)
const echoModule = '/usr/share/nginx/modules/ngx_http_echo_module.so';

describe('an nginx-only Vitest project, installed from the packed tarballs', () => {
  const packed = mkdtempSync(join(tmpdir(), 'rebind-packed-'));
  let project: Project;

  beforeAll(async () => {
    const tarballs = await packAll(packed);
    project = await createProject(tarballs, ['@rebind/vitest'], [workspaceRange('vitest')]);
  });
  afterAll(() => {
    project?.remove();
    rmSync(packed, { recursive: true, force: true });
  });

  it('brings at most 5 third-party packages beyond Vitest, none with an install script', () => {
    const f = footprint(project.dir, 'vitest');
    console.log(`consumer: nginx-only Vitest install: ${formatFootprint(f, 'vitest')}`);
    expect(existsSync(join(project.dir, 'node_modules/@rebind/docker'))).toBe(false);
    expect(existsSync(join(project.dir, 'node_modules/dockerode'))).toBe(false);
    expect(f.rebind).toEqual(['@rebind/core', '@rebind/nginx', '@rebind/runner', '@rebind/vitest']);
    expect(f.thirdParty.length).toBeLessThanOrEqual(5);
    expect(f.installScripts).toEqual([]);
  });

  it.runIf(hasNginx)('runs the README example: config and test', async () => {
    const readme = 'packages/vitest/README.md';
    project.write('vitest.config.mts', readmeBlock(readme, 'ts', 'defineConfig', 'plugins'));
    project.write('test/web.test.ts', readmeBlock(readme, 'ts', "endpoint('web')"));
    const r = await project.run('vitest', ['run']);
    expect(r.output).toMatch(/Tests {2}1 passed \(1\)/);
    // source maps name shipped sources: no "Sourcemap for ... points to missing source files"
    expect(r.output).not.toMatch(/sourcemap/i);
    expect(r.code).toBe(0);
  });

  it.runIf(hasNginx && existsSync(echoModule)).each([
    ['fixture example: each test its own config, the echo module', 'echo', 'pipelined('],
    [
      "builder-form example: a fixture of the user's own, its error log checked",
      'builder',
      'onCleanup(',
    ],
  ])('runs the README %s', async (_, name, marker) => {
    const readme = 'packages/vitest/README.md';
    project.write(
      'vitest.fixtures.config.mts',
      readmeBlock(readme, 'ts', 'rebind({ summary: true })', 'plugins'),
    );
    project.write(
      `test/${name}.test.ts`,
      readmeBlock(readme, 'ts', "'@rebind/vitest/test'", marker),
    );
    const r = await project.run('vitest', [
      'run',
      '--config',
      'vitest.fixtures.config.mts',
      `test/${name}.test.ts`,
    ]);
    expect(r.output).toMatch(/Tests {2}2 passed \(2\)/);
    expect(r.output).toMatch(/rebind: 2 tests, 1 restart, .*leftovers: 0/);
    expect(r.code).toBe(0);
  });

  it('fails a container service with the package to install', async () => {
    project.write(
      'vitest.docker.config.mjs',
      `import { rebind } from '@rebind/vitest';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  plugins: [rebind({ services: { db: { container: { image: 'rebind/busybox:test', ports: [80] } } } })],
});
`,
    );
    const r = await project.run('vitest', ['run', '--config', 'vitest.docker.config.mjs']);
    expect(r.output).toContain(
      'Service `db` is a container, which needs @rebind/docker, and @rebind/docker is not installed (it is an optional peer dependency, so projects without containers do without the Docker client). Fix: npm install -D @rebind/docker',
    );
    expect(r.code).not.toBe(0);
  });

  it.runIf(hasNginx)("runs @rebind/nginx's README example with plain node", async () => {
    const file = project.write(
      'example.mjs',
      readmeBlock('packages/nginx/README.md', 'js', 'try {', 'startNginx'),
    );
    const r = await project.run(process.execPath, [file]);
    expect(r.output).toBe('hello\n');
    expect(r.code).toBe(0);
  });
});
