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

  it('names the cause the text states: Windows 10013, EADDRNOTAVAIL, localhost', async () => {
    const server = net.createServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as net.AddressInfo;
    try {
      // Windows' 10013 on a port someone holds: the holder, not a privilege problem
      const held = await diagnoseBindFailure({
        message: `listen tcp 127.0.0.1:${port}: bind: An attempt was made to access a socket in a way forbidden by its access permissions.`,
      });
      expect(held.details).toMatchObject({
        cause: 'another-process',
        holder: { pid: process.pid },
      });
      const local = await diagnoseBindFailure({
        message: `Failed to listen on localhost:${port} (reason: Address already in use)`,
        ownPids: [process.pid],
      });
      expect(local.details).toMatchObject({ cause: 'own-instance', host: '127.0.0.1' });
    } finally {
      await new Promise((r) => server.close(r));
    }
    const free = await diagnoseBindFailure({
      message: `SocketException (10013): Der Zugriff auf einen Socket war aufgrund der Zugriffsrechte des Sockets unzulässig. 127.0.0.1:${port}`,
      port,
      host: '127.0.0.1',
    });
    expect(free.details).toMatchObject({ cause: 'excluded-port-range', port });
    expect(free.message).toContain('netsh int ipv4 show excludedportrange protocol=tcp');
    const away = await diagnoseBindFailure({
      message: `Error: listen EADDRNOTAVAIL: address not available 192.0.2.7:${port}`,
    });
    expect(away.details).toMatchObject({ cause: 'address-not-available', host: '192.0.2.7' });
    expect(away.message).toBe(
      `The server could not bind 192.0.2.7:${port}: 192.0.2.7 is not an address of this machine, so no server can bind it (EADDRNOTAVAIL). Bind 0.0.0.0 or :: (every address), 127.0.0.1, or an address that \`ip -brief address\` lists; in a container, bind 0.0.0.0 and publish the port.\n    Error: listen EADDRNOTAVAIL: address not available 192.0.2.7:${port}`,
    );
  });
});
