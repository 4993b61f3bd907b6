import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from '@rebind/vitest/test';
import { expect } from 'vitest';
import { httpd, labels, record, running } from './docker.js';

const dir = mkdtempSync(join(tmpdir(), 'compose-'));

/** A compose file with one service, `box`, answering `name`. */
function project(name) {
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

for (const name of ['compose 1', 'compose 2'])
  test(name, async ({ service }) => {
    const seen = await record(name, { box: await service({ compose: project(name) }) });
    expect(running('compose')).toHaveLength(1);
    return seen;
  });
