import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { inspectPort } from './inspect-port.js';

describe('inspectPort', () => {
  it.each([0, 70000, 1.5, '80', undefined])('rejects port %s with execa wording', async (port) => {
    await expect(inspectPort(port as number)).rejects.toMatchObject({
      code: 'REBIND_INVALID_OPTION',
      message: expect.stringMatching(
        /^Expected the `port` option to be an integer from 1 to 65535, got `/,
      ),
    });
  });

  it('rejects a host that is not an address', async () => {
    await expect(inspectPort(8080, { host: 'localhost' })).rejects.toThrow(
      'Expected the `host` option to be an IPv4 or IPv6 address such as `127.0.0.1` or `::`, got `localhost` (string).',
    );
  });

  it('names this process as the holder of its own listener', async () => {
    const server = net.createServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as net.AddressInfo;
    try {
      const report = await inspectPort(port, { docker: false });
      expect(report.verdict).toBe('listening');
      expect(report.sockets).toEqual([
        expect.objectContaining({
          family: 4,
          localAddress: '127.0.0.1',
          localPort: port,
          state: 'LISTEN',
          pid: process.pid,
        }),
      ]);
      expect(report.owners[0]).toMatchObject({
        pid: process.pid,
        known: true,
        command: expect.any(String),
      });
      expect(report.bindable).toMatchObject({ plain: false, reuseAddr: false });
    } finally {
      await new Promise((r) => server.close(r));
    }
    expect((await inspectPort(port)).verdict).toBe('free');
  });
});
