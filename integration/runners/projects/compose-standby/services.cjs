// A declared compose service, `box`, fresh for every test with a standby: one busybox
// httpd that serves its container's hostname and logs every request (`url:/...`) on
// stderr. The file is written where the run's TMPDIR is, with the run's tag as a label
// (the harness finds leftovers by it).
const { writeFileSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');

const tag = process.env.REBIND_TEST_RUN ?? 'none';
const file = join(tmpdir(), `compose-standby-${tag}.yml`);
writeFileSync(
  file,
  [
    'version: "3.8"',
    'services:',
    '  box:',
    '    image: rebind/busybox:test',
    '    command: ["sh", "-c", "cat /etc/hostname > /www/index.html && exec httpd -f -vv -p 80 -h /www"]',
    '    labels:',
    `      rebind.test-run: "${tag}"`,
    '    ports:',
    '      - "80"',
    '',
  ].join('\n'),
);

module.exports = {
  services: {
    box: {
      compose: { files: [file], endpoint: { service: 'box', port: 80 } },
      pristine: 'per-test',
      standby: true,
    },
  },
  summary: true,
};
