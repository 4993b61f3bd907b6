// Run on a "host": a compose project whose fixed host port another container holds on the
// remote engine, with onPortConflict 'remap'; then a restart. Prints what it saw as one
// JSON line, with the engine's own view of each instance: its container and the host ports
// the engine published it on (IPv4 and IPv6 each, which Docker 20.10 may pick apart).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectDocker, startCompose } from '@rebind/docker';
import { get } from './get.js';

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
/** The project's containers as the engine lists them: id and published bindings. */
async function engineView(docker, projectName) {
  const list = await docker.listContainers({
    filters: { label: [`com.docker.compose.project=${projectName}`] },
  });
  return list.map((c) => ({
    id: c.Id.slice(0, 12),
    bindings: c.Ports.filter((p) => p.PublicPort !== undefined).map((p) => ({
      ip: p.IP,
      port: p.PublicPort,
    })),
  }));
}

const { docker } = await connectDocker();
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
        answer: (await get(project.url)).trim(),
        remapped: project.remappedPorts,
        engine: await engineView(docker, process.env.REBIND_PROJECT),
      });
    }
  } finally {
    await project.stop();
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
console.log(JSON.stringify(seen));
