import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { diagnoseBindFailure } from './diagnose-bind-failure.js';

describe('diagnoseBindFailure', () => {
  it('needs a port, a path or a message naming one', async () => {
    await expect(diagnoseBindFailure({ message: 'something failed' })).rejects.toThrow(
      'Expected the `port` option to be an integer from 1 to 65535 (or a `message` naming the port), got `undefined` (undefined).',
    );
    await expect(diagnoseBindFailure({ port: 0 })).rejects.toMatchObject({
      code: 'REBIND_INVALID_OPTION',
    });
  });

  it('says `gone` when nothing holds the port any more', async () => {
    const server = net.createServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as net.AddressInfo;
    await new Promise((r) => server.close(r));
    const error = await diagnoseBindFailure({
      message: `listen EADDRINUSE: address already in use 127.0.0.1:${port}`,
    });
    expect(error.code).toBe('REBIND_PORT_IN_USE');
    expect(error.details).toMatchObject({ cause: 'gone', port, host: '127.0.0.1' });
    expect(error.message).toBe(
      `The server could not bind 127.0.0.1:${port}: nothing holds it any more: the holder went away before rebind looked (typically a previous instance still shutting down). Wait until the port is free before binding (waitForPort(${port}, { until: 'free' })), or let rebind choose a port (port: 'auto').\n    listen EADDRINUSE: address already in use 127.0.0.1:${port}`,
    );
  });

  it('names this process when it holds the port itself (ownPids)', async () => {
    const server = net.createServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as net.AddressInfo;
    try {
      const error = await diagnoseBindFailure({ port, ownPids: [process.pid] });
      expect(error.details).toMatchObject({ cause: 'own-instance', holder: { pid: process.pid } });
    } finally {
      await new Promise((r) => server.close(r));
    }
  });
});
