// A Jest user: `npm install -D @rebind/jest jest` in a fresh `npm init -y` project (so
// `"type": "commonjs"`), the README's CommonJS and ESM configs and test files.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireComponent } from '@rebind/test-support';
import { footprint, formatFootprint } from './footprint.js';
import { createProject, packAll, workspaceRange, type Project } from './project.js';
import { readmeBlock } from './readme.js';

const readme = 'packages/jest/README.md';
// Debian's libnginx-mod-http-echo (scripts/prepare-system.sh installs it)
const echoModule = '/usr/share/nginx/modules/ngx_http_echo_module.so';

describe.runIf(requireComponent('nginx'))(
  'the Jest README example, installed from the packed tarballs',
  () => {
    const packed = mkdtempSync(join(tmpdir(), 'rebind-packed-'));
    let project: Project;

    beforeAll(async () => {
      const tarballs = await packAll(packed);
      const jest = workspaceRange('jest', 'packages/jest/package.json');
      project = await createProject(tarballs, ['@rebind/jest'], [jest]);
      console.log(
        `consumer: nginx-only Jest install: ${formatFootprint(footprint(project.dir, 'jest'), 'jest')}`,
      );
    });
    afterAll(() => {
      project?.remove();
      rmSync(packed, { recursive: true, force: true });
    });

    it('a CommonJS config and test file', async () => {
      project.write('jest.config.cjs', readmeBlock(readme, 'js', 'module.exports', 'globalSetup'));
      project.write('web.test.js', readmeBlock(readme, 'js', "require('@rebind/jest')"));
      const r = await project.run('jest', [
        '--config',
        'jest.config.cjs',
        '--ci',
        'web\\.test\\.js$',
      ]);
      expect(r.output).toMatch(/Tests: {7}1 passed, 1 total/);
      expect(r.code).toBe(0);
    });

    it('an ESM config and ESM test file, with the flag the README gives', async () => {
      project.write('jest.config.mjs', readmeBlock(readme, 'js', 'export default', 'globalSetup'));
      project.write('web.test.mjs', readmeBlock(readme, 'js', "from '@rebind/jest'"));
      const command = readmeBlock(readme, 'sh', '--experimental-vm-modules').trim();
      const env = /^NODE_OPTIONS=(\S+) npx jest$/.exec(command);
      expect(env?.[1]).toBe('--experimental-vm-modules');
      const r = await project.run(
        'jest',
        ['--config', 'jest.config.mjs', '--ci', 'web\\.test\\.mjs$'],
        {
          NODE_OPTIONS: env?.[1],
        },
      );
      expect(r.output).toMatch(/Tests: {7}1 passed, 1 total/);
      expect(r.code).toBe(0);
    });

    it.runIf(existsSync(echoModule))(
      'each test its own nginx config: the README block with no declared service',
      async () => {
        const config = readmeBlock(readme, 'js', 'module.exports', 'globalSetup');
        // "no declared service (`testEnvironmentOptions: { rebind: {} }`, with the same
        // three config lines)"
        const bare = config.replace(/rebind: \{ services: .*\},\n/, 'rebind: {},\n');
        expect(bare).not.toBe(config);
        project.write('jest.fixtures.config.cjs', bare);
        project.write('echo.test.mjs', readmeBlock(readme, 'ts', "from '@rebind/jest'", 'nginx('));
        const r = await project.run(
          'jest',
          ['--config', 'jest.fixtures.config.cjs', '--ci', 'echo\\.test\\.mjs$'],
          { NODE_OPTIONS: '--experimental-vm-modules' },
        );
        expect(r.output).toMatch(/Tests: {7}1 passed, 1 total/);
        expect(r.code).toBe(0);
      },
    );
  },
);
