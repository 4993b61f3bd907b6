// Run on a "host": a compose project whose fixed host port another container holds on the
// remote engine, with onPortConflict 'remap'; then a restart. Prints what it saw as one
// JSON line.
import { request } from 'node:http';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startCompose } from '@rebind/docker';

function get(url) {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve(body.trim()));
    });
    req.on('error', reject);
    req.end();
  });
}

const dir = mkdtempSync(join(tmpdir(), 'rebind-remote-compose-'));
const file = join(dir, 'docker-compose.yml');
writeFileSync(
  file,
  [
    'version: "3.8"',
    'services:',
    '  web:',
    '    image: rebind/nginx:test',
    '    ports:',
    `      - "${process.env.REBIND_HELD_PORT}:80"`,
    '',
  ].join('\n'),
);
const seen = [];
try {
  const project = await startCompose({
    files: [file],
    projectName: process.env.REBIND_PROJECT,
    onPortConflict: 'remap',
  });
  try {
    for (let i = 0; i < 2; i++) {
      if (i > 0) await project.restart();
      seen.push({
        host: project.host,
        port: project.port,
        portOf: project.portOf('web', 80),
        url: project.url,
        urlOf: project.urlOf('web', 80),
        answer: await get(project.url),
        remapped: project.remappedPorts,
      });
    }
  } finally {
    await project.stop();
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
console.log(JSON.stringify(seen));
