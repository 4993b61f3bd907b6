// Fails the running test on any process warning: leaked listeners, deprecations,
// unhandled-rejection warnings. Installed by vitest.shared.js for every workspace.
import { afterEach } from 'vitest';

const warnings = [];
process.on('warning', (warning) => warnings.push(warning));

afterEach(() => {
  if (warnings.length > 0) {
    const found = warnings.splice(0).map((w) => `${w.name}: ${w.message}`);
    throw new Error(`process warnings during this test:\n  ${found.join('\n  ')}`);
  }
});
