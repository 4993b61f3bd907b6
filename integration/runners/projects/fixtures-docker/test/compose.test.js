import { createRequire } from 'node:module';
import { test } from '@rebind/vitest/test';
import { expect } from 'vitest';

const { composeProject, record, running } = createRequire(import.meta.url)('./docker.cjs');

for (const name of ['compose 1', 'compose 2'])
  test(name, async ({ service }) => {
    const seen = await record(name, { box: await service({ compose: composeProject(name) }) });
    expect(running('compose')).toHaveLength(1);
    return seen;
  });
