// The control channel over a unix socket, beside the loopback HTTP one: a round trip
// costs about 0.1 ms where HTTP's costs 0.7 ms. One line in is one JSON request
// `{ id, call, slot, query?, body? }`; one line out is its answer `{ id, ...answer }`,
// in the order the answers are ready (calls overlap on one connection). The socket sits
// in a private directory (0700): only this user reaches it, as only holders of the
// secret path reach the HTTP channel.
import { rmSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ControlAnswers } from './control-answers.js';
import { toWire } from './control-error.js';
import { lineReader } from './lines.js';

/** A socket path longer than this does not fit `sun_path` everywhere (104 bytes on macOS). */
const maxPath = 100;

export interface ControlSocket {
  readonly path: string;
  /** Destroys every connection, closes the server and removes its directory. */
  close(): Promise<void>;
}

/** A request line, as a worker's client.ts sends it. */
interface SocketRequest {
  readonly id: number;
  readonly call: string;
  readonly slot?: number;
  readonly query?: string;
  readonly body?: unknown;
}

async function answerLine(answers: ControlAnswers, line: string): Promise<string> {
  let request: SocketRequest;
  try {
    request = JSON.parse(line) as SocketRequest;
  } catch (error) {
    return JSON.stringify({ error: toWire(error) });
  }
  const { answer } = await answers.dispatch({
    call: String(request.call),
    slot: Number(request.slot ?? 1),
    query: new URLSearchParams(request.query ?? ''),
    body: request.body,
  });
  return JSON.stringify({ id: request.id, ...answer });
}

function serve(answers: ControlAnswers, socket: Socket): void {
  socket.setEncoding('utf8');
  // A worker that exits mid-call resets its connection: nothing to do.
  socket.on('error', () => undefined);
  socket.on(
    'data',
    lineReader((line) => {
      void answerLine(answers, line).then((text) => {
        if (!socket.destroyed) socket.write(`${text}\n`);
      });
    }),
  );
}

/**
 * Listens on `<tmpdir>/rebind-XXXXXX/control.sock`; undefined where that cannot be (Windows,
 * a path too long, a failed listen): the workers then use HTTP.
 */
export async function startControlSocket(
  answers: ControlAnswers,
): Promise<ControlSocket | undefined> {
  if (process.platform === 'win32') return undefined;
  let dir: string;
  try {
    dir = await mkdtemp(join(tmpdir(), 'rebind-'));
  } catch {
    return undefined;
  }
  const path = join(dir, 'control.sock');
  // Else left behind by a main process that exits without stopping its host.
  const removeDir = () => rmSync(dir, { recursive: true, force: true });
  const connections = new Set<Socket>();
  const server = createServer((socket) => {
    connections.add(socket);
    socket.once('close', () => connections.delete(socket));
    serve(answers, socket);
  });
  try {
    if (Buffer.byteLength(path) > maxPath) throw new Error(`socket path too long: ${path}`);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(path, () => resolve());
    });
  } catch {
    await rm(dir, { recursive: true, force: true });
    return undefined;
  }
  server.unref();
  process.once('exit', removeDir);
  return {
    path,
    async close() {
      for (const socket of connections) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
      process.removeListener('exit', removeDir);
      await rm(dir, { recursive: true, force: true });
    },
  };
}
