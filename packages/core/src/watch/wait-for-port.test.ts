import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { waitForPort } from './wait-for-port.js';

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((r) => server.close(r));
  return port;
}

describe('waitForPort', () => {
  it('validates its options', async () => {
    await expect(waitForPort(8080, { until: 'open' as 'free' })).rejects.toThrow(
      "Expected the `until` option to be `'free'` or `'listening'`, got `open` (string).",
    );
    await expect(waitForPort(8080, { until: 'free', pid: -1 })).rejects.toThrow(
      'Expected the `pid` option to be a positive integer, got `-1` (number).',
    );
    await expect(waitForPort(8080, { until: 'free', timeout: -5 })).rejects.toMatchObject({
      code: 'REBIND_INVALID_OPTION',
    });
  });

  it('resolves when a listener appears and when it goes', async () => {
    const port = await freePort();
    const server = net.createServer((s) => s.on('error', () => {}));
    const listening = waitForPort(port, { until: 'listening', pid: process.pid, timeout: 5000 });
    setTimeout(() => server.listen(port, '127.0.0.1'), 20);
    await listening;
    expect(server.listening).toBe(true);
    const free = waitForPort(port, { until: 'free', timeout: 5000 });
    server.close();
    await free;
  });

  it('times out naming the holder', async () => {
    const server = net.createServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as net.AddressInfo;
    try {
      await expect(waitForPort(port, { until: 'free', timeout: 30 })).rejects.toMatchObject({
        code: 'REBIND_WAIT_TIMEOUT',
        message: expect.stringContaining(
          `Port ${port} was not free after 30 ms. Port ${port} is in use: pid ${process.pid} (`,
        ),
      });
    } finally {
      await new Promise((r) => server.close(r));
    }
  });

  it('aborts', async () => {
    const port = await freePort();
    await expect(
      waitForPort(port, { until: 'listening', signal: AbortSignal.abort() }),
    ).rejects.toMatchObject({ code: 'REBIND_ABORTED' });
  });
});
