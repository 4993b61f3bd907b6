// What the test files share (Vitest's and Jest's): a busybox httpd that answers `<test>
// <container hostname>`, labelled with the run's tag (the harness finds leftovers by it)
// and the file's name, as a container or as a one-service compose project.
const { execFileSync } = require('node:child_process');
const { mkdtempSync, writeFileSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');
const { record } = require('../../record.cjs');

const tag = process.env.REBIND_TEST_RUN ?? 'none';
const labels = (file) => ({ 'rebind.test-run': tag, 'rebind.test-file': file });

const httpd = (name) => [
  'sh',
  '-c',
  `echo "${name} $(cat /etc/hostname)" > /www/index.html && exec httpd -f -p 80 -h /www`,
];

/** `service({ container })`'s options: the httpd answering `name`. */
const box = (name) => ({
  image: 'rebind/busybox:test',
  command: httpd(name),
  ports: [80],
  labels: labels('container'),
});

let dir;
/** `service({ compose })`'s options: a compose file with one service, `box`, answering `name`. */
function composeProject(name) {
  dir ??= mkdtempSync(join(tmpdir(), 'compose-'));
  const file = join(dir, `${name.replace(' ', '-')}.yml`);
  const label = Object.entries(labels('compose')).map(([k, v]) => `      ${k}: "${v}"`);
  writeFileSync(
    file,
    [
      'version: "3.8"',
      'services:',
      '  box:',
      '    image: rebind/busybox:test',
      // `$$`: compose's escape for a literal `$`
      `    command: ${JSON.stringify(httpd(name)).replaceAll('$', '$$$$')}`,
      '    labels:',
      ...label,
      '    ports:',
      '      - "80"',
      '',
    ].join('\n'),
  );
  return { files: [file], endpoint: { service: 'box', port: 80 } };
}

/** The running containers of this run started for `file`. */
const running = (file) =>
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

module.exports = { box, composeProject, record, running };
