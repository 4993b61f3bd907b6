import { Worker } from 'node:worker_threads';
import { RebindError } from '../errors.js';
import { serverFd } from '../node-internals.js';

/** A bound, listening TCP socket that rebind holds and hands to each new server. */
export interface HeldSocket {
  /** The socket's file descriptor in this process (pass it to a child as an extra fd). */
  readonly fd: number;
  readonly host: string;
  readonly port: number;
  /** Closes the socket. Idempotent. */
  close(): Promise<void>;
}

// A net.Server listening in this process's event loop accepts connections itself, racing
// the server it was handed to (a connection it accepts is lost: nobody reads it). So the
// socket is created in a worker thread that then blocks in Atomics.wait: its event loop
// never runs, the fd is never polled, and every connection waits in the kernel's accept
// queue for the server that inherited the fd, even across a restart gap.
const workerCode = `
const { parentPort, workerData } = require('node:worker_threads');
const serverFd = ${serverFd.toString()};
const net = require('node:net');
const server = net.createServer();
server.on('error', (error) => parentPort.postMessage({ error: error.message, code: error.code }));
server.listen({ host: workerData.host, port: workerData.port, backlog: 511, exclusive: true }, () => {
  parentPort.postMessage({ fd: serverFd(server), port: server.address().port });
  Atomics.wait(new Int32Array(workerData.flag), 0, 0);
});
`;

type WorkerMessage = { fd: number; port: number } | { error: string; code?: string };

/**
 * Binds and listens on `host:port` (0: any free port) and holds the socket without ever
 * accepting on it.
 */
export async function holdSocket(host: string, port: number): Promise<HeldSocket> {
  const flag = new SharedArrayBuffer(4);
  const worker = new Worker(workerCode, { eval: true, workerData: { host, port, flag } });
  worker.unref();
  const message = await new Promise<WorkerMessage>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
  if ('error' in message) {
    await worker.terminate();
    throw new RebindError(
      message.code === 'EADDRINUSE' ? 'REBIND_PORT_IN_USE' : 'REBIND_INVALID_OPTION',
      `rebind could not bind ${host}:${port} to hold it for the 'inherit' strategy: ${message.error}.`,
      { details: { host, port } },
    );
  }
  let closing: Promise<void> | undefined;
  return {
    fd: message.fd,
    host,
    port: message.port,
    close: () => {
      closing ??= worker.terminate().then(() => undefined);
      return closing;
    },
  };
}
