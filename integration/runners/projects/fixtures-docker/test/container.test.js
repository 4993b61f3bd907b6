import { test } from '@rebind/vitest/test';
import { expect } from 'vitest';
import { httpd, labels, record, running } from './docker.js';

const box = (name) => ({
  image: 'rebind/busybox:test',
  command: httpd(name),
  ports: [80],
  labels: labels('container'),
});

for (const name of ['container 1', 'container 2'])
  test(name, async ({ service }) => {
    const seen = await record(name, { box: await service({ container: box(name) }) });
    // its own container: the previous test's is gone
    expect(running('container')).toHaveLength(1);
    return seen;
  });
