// The worker side of the unix-socket control channel: one connection per process (per
// module instance: Jest loads this module again in each test file's sandbox), opened on
// first use, newline-delimited JSON, answers matched to calls by id (calls overlap: `next`
// waits in the background while `configure` or `test-start` go out). The connection
// keeps the process alive only while a call that is not `background` waits, and closes
// after 4 s with no call waiting; a closed connection is opened again by the next call.
import { connect, type Socket } from 'node:net';
import { fromWire, unreachable, type WireError } from './control-error.js';
import { lineReader } from './lines.js';

/** One call as it goes over the socket. */
export interface SocketCall {
  readonly call: string;
  readonly slot: number;
  readonly query: string;
  readonly body: unknown;
  /** Never keeps the process alive (`next`, answered whenever the standbys are ready). */
  readonly background: boolean;
}

interface Waiting {
  readonly resolve: (answer: Record<string, unknown>) => void;
  readonly reject: (error: Error) => void;
  readonly background: boolean;
}

const idleMs = 4_000;

export class SocketChannel {
  #socket: Socket | undefined;
  #lastId = 0;
  readonly #waiting = new Map<number, Waiting>();

  /** `control`: the HTTP channel's URL, named in the error when the socket does not answer. */
  constructor(
    readonly path: string,
    readonly control: string,
  ) {}

  call({ call, slot, query, body, background }: SocketCall): Promise<Record<string, unknown>> {
    const socket = this.#socket ?? this.#open();
    const id = ++this.#lastId;
    return new Promise((resolve, reject) => {
      this.#waiting.set(id, { resolve, reject, background });
      this.#hold();
      const request = { id, call, slot, ...(query === '' ? {} : { query }), body };
      socket.write(`${JSON.stringify(request)}\n`);
    });
  }

  #open(): Socket {
    const socket = connect(this.path);
    this.#socket = socket;
    socket.setEncoding('utf8');
    socket.setTimeout(idleMs);
    socket.on('timeout', () => {
      if (this.#waiting.size === 0) socket.destroy();
    });
    socket.on(
      'data',
      lineReader((line) => this.#answer(line)),
    );
    socket.on('error', (error) => this.#drop(socket, error));
    socket.on('close', () => this.#drop(socket, new Error('the connection closed')));
    return socket;
  }

  /** Ref'd while a call that is not `background` waits, else unref'd. */
  #hold(): void {
    const needed = [...this.#waiting.values()].some((w) => !w.background);
    if (needed) this.#socket?.ref();
    else this.#socket?.unref();
  }

  #answer(line: string): void {
    let answer: Record<string, unknown> & { id?: number; error?: WireError };
    try {
      answer = JSON.parse(line) as typeof answer;
    } catch {
      return; // not an answer of ours
    }
    const waiting = answer.id === undefined ? undefined : this.#waiting.get(answer.id);
    if (waiting === undefined) return;
    this.#waiting.delete(answer.id as number);
    this.#hold();
    const { id: _id, ...rest } = answer;
    if (rest.error === undefined) waiting.resolve(rest);
    else waiting.reject(fromWire(rest.error));
  }

  /** The connection failed or closed: its waiting calls fail; the next call reconnects. */
  #drop(socket: Socket, cause: Error): void {
    if (this.#socket !== socket) return;
    this.#socket = undefined;
    const waiting = [...this.#waiting.values()];
    this.#waiting.clear();
    for (const w of waiting) w.reject(unreachable(this.control, cause));
  }
}

const channels = new Map<string, SocketChannel>();

/** This process's channel to the socket at `path`. */
export function socketChannel(path: string, control: string): SocketChannel {
  let channel = channels.get(path);
  if (channel === undefined) {
    channel = new SocketChannel(path, control);
    channels.set(path, channel);
  }
  return channel;
}
