import { createRequire } from 'node:module';
import { connect } from 'node:net';
import { endpoints } from '@rebind/vitest';
import { it } from 'vitest';

const { record } = createRequire(import.meta.url)('../../../../runners/projects/record.cjs');

it('hangs past its timeout holding a half-sent request', async () => {
  const { web } = endpoints();
  await record('hang', { web });
  const socket = connect(web.port, '127.0.0.1');
  await new Promise((resolve) => socket.once('connect', resolve));
  socket.write('GET / HTTP/1.1\r\nHost: rebind\r\n');
  await new Promise(() => undefined);
});

it('the next test', () => record('next', endpoints()));
