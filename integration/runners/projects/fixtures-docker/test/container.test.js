import { createRequire } from 'node:module';
import { test } from '@rebind/vitest/test';
import { expect } from 'vitest';

const { box, record, running } = createRequire(import.meta.url)('./docker.cjs');

for (const name of ['container 1', 'container 2'])
  test(name, async ({ service }) => {
    const seen = await record(name, { box: await service({ container: box(name) }) });
    // its own container: the previous test's is gone
    expect(running('container')).toHaveLength(1);
    return seen;
  });
