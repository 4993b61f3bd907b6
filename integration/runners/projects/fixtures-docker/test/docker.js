// What both test files share: a busybox httpd that answers `<test> <container hostname>`,
// labelled with the run's tag (the harness finds leftovers by it) and the file's name.
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';

export const { record } = createRequire(import.meta.url)('../../record.cjs');

const tag = process.env.REBIND_TEST_RUN ?? 'none';
export const labels = (file) => ({ 'rebind.test-run': tag, 'rebind.test-file': file });

export const httpd = (name) => [
  'sh',
  '-c',
  `echo "${name} $(cat /etc/hostname)" > /www/index.html && exec httpd -f -p 80 -h /www`,
];

/** The running containers of this run started for `file`. */
export const running = (file) =>
  execFileSync(
    'docker',
    [
      'ps',
      '-q',
      '--filter',
      `label=rebind.test-run=${tag}`,
      '--filter',
      `label=rebind.test-file=${file}`,
    ],
    { encoding: 'utf8' },
  )
    .split('\n')
    .filter(Boolean);
