// `npm run demo`: the main job for now, the infrastructure smoke. Starts the machine's
// nginx and an offline-image container, gets an answer from each, removes both.
import { smokeContainer, smokeNginx } from './dist/smoke.js';

let failed = 0;
for (const [name, run] of [
  ['nginx', smokeNginx],
  ['docker', smokeContainer],
]) {
  try {
    const r = await run();
    console.log(
      `${name}: ${r.what}\n  ${r.url} answered "${r.body}"\n  ready in ${r.startMs.toFixed(1)} ms, stopped in ${r.stopMs.toFixed(1)} ms`,
    );
  } catch (error) {
    failed++;
    console.error(`${name}: FAILED: ${error instanceof Error ? error.message : String(error)}`);
  }
}
console.log(failed === 0 ? 'leftovers: 0 (both removed)' : `${failed} part(s) failed`);
process.exitCode = failed === 0 ? 0 : 1;
