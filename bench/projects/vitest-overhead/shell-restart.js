// Setup file of the `shell` mode: before each test, `nginx -s stop; nginx` and wait-on
// (its defaults) for the first answer.
import { execSync } from 'node:child_process';
import waitOn from 'wait-on';
import { beforeEach, inject } from 'vitest';

const { port, args } = inject('benchNginx');
const nginx = `nginx ${args.join(' ')}`;

beforeEach(async () => {
  execSync(`${nginx} -s stop; ${nginx}`, { stdio: 'ignore' });
  await waitOn({ resources: [`http-get://127.0.0.1:${port}/`] });
});
