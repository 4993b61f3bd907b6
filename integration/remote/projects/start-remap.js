// Run on a "host": a container asking for a fixed host port that another container holds
// on the remote engine, with onPortConflict 'remap'; then a restart. Prints what it saw
// as one JSON line.
import { startContainer } from '@rebind/docker';
import { get } from './get.js';

const held = Number(process.env.REBIND_HELD_PORT);
const seen = [];
const web = await startContainer({
  image: 'rebind/nginx:test',
  ports: [{ container: 80, host: held }],
  onPortConflict: 'remap',
  labels: { 'rebind.test-run': process.env.REBIND_TEST_RUN },
});
try {
  for (let i = 0; i < 2; i++) {
    if (i > 0) await web.restart();
    seen.push({
      host: web.host,
      port: web.port,
      url: web.url,
      token: web.token,
      answer: (await get(web.url)).trim(),
      remapped: web.remappedPorts,
    });
  }
} finally {
  await web.stop();
}
console.log(JSON.stringify(seen));
