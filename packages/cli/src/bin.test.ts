import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { expect, it } from 'vitest';

const bin = fileURLToPath(new URL('../../../node_modules/.bin/rebind', import.meta.url));

// npm links bin/rebind.js (in git) at `npm ci`, before tsc writes dist/: it must run after the build.
it('the workspace `rebind` bin runs after the build', async () => {
  const { stdout } = await promisify(execFile)(bin, ['--help']);
  expect(stdout).toMatch(/^Usage: rebind <command> \[options\]/);
});
