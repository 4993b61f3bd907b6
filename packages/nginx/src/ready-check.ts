import { existsSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { processTree, type ReadyCheck } from '@rebind/core';
import { listeningInodes, pidsHoldingSockets } from '@rebind/core/internal';
import { READY_HOST, READY_PATH } from './render-config.js';

/** Where an instance serves its token. */
export type ReadyTarget =
  | { readonly socketPath: string; readonly token: string }
  | { readonly host: string; readonly port: number; readonly token: string };

/** Longest unix socket path we use (sun_path holds 108 bytes on Linux, 104 on macOS). */
const MAX_SOCKET_PATH = 100;

/** The per-instance unix socket under the prefix, or the main port when that path is too long. */
export function readyTarget(
  prefix: string,
  token: string,
  host: string,
  port: number,
): ReadyTarget {
  const socketPath = join(prefix, 'run', `ready-${token}.sock`);
  return Buffer.byteLength(socketPath) <= MAX_SOCKET_PATH
    ? { socketPath, token }
    : { host, port, token };
}

/**
 * GETs the readiness location; true when it answers this instance's token. No request
 * while the instance's socket does not exist yet (nginx has not bound it): a connect that
 * fails makes Node build two errors and read their stacks, and in Vitest's main process
 * every stack goes through Vite's source-map `prepareStackTrace`: in a CPU profile of 200
 * fixture restarts that was the main process's largest cost after the spawn. A stat is cheap.
 * The GET is an HTTP/1.0 request written on a plain socket (nginx closes after its answer):
 * node:http's client cost the main process ~1.4 ms of CPU per readiness, on the restart's
 * critical path (CPU profile of 300 fixture restarts in Vitest).
 */
export function answersToken(target: ReadyTarget, timeout = 1000): Promise<boolean> {
  if ('socketPath' in target && !existsSync(target.socketPath)) return Promise.resolve(false);
  return new Promise((resolve) => {
    const socket =
      'socketPath' in target ? connect(target.socketPath) : connect(target.port, target.host);
    let answer = '';
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setEncoding('latin1');
    socket.setTimeout(timeout, () => done(false));
    socket.on('connect', () =>
      socket.write(`GET ${READY_PATH} HTTP/1.0\r\nHost: ${READY_HOST}\r\n\r\n`),
    );
    socket.on('data', (chunk: string) => (answer += chunk));
    socket.on('end', () => done(isTokenAnswer(answer, target.token)));
    socket.on('error', () => done(false));
  });
}

/** A whole HTTP answer (head and body, as nginx wrote it): status 200 and `token` as the body. */
export function isTokenAnswer(answer: string, token: string): boolean {
  const end = answer.indexOf('\r\n\r\n');
  return /^HTTP\/1\.[01] 200 /.test(answer) && end >= 0 && answer.slice(end + 4) === token;
}

/**
 * Proves the answer comes from the new instance: its token, served by the readiness
 * server rebind adds (an old instance has another token and another socket), or, without
 * an http block, the port's listener held by the new master's tree. A token answer proves
 * the main port too: nginx binds every listen before it starts a worker. `failed` (nginx's
 * bind error line seen on stderr) fails the start at once instead of after nginx's 2.5 s
 * of retries.
 */
export function readyCheck(options: {
  readonly port: number;
  readonly target: ReadyTarget | undefined;
  /** nginx's bind failure line, once seen. */
  readonly failure: () => string | undefined;
  /** Rejects when nginx reports a bind failure. */
  readonly failed: Promise<never>;
}): ReadyCheck {
  return {
    check: ({ pid }) => {
      const failure = options.failure();
      if (failure !== undefined) throw new Error(failure);
      if (options.target === undefined) {
        return pidsHoldingSockets(processTree(pid), listeningInodes(options.port)).length > 0;
      }
      // Raced: nginx may bind (and listen on) the readiness socket, then fail on a TCP
      // port and retry for 2.5 s; a request accepted by that socket would wait meanwhile.
      return Promise.race([answersToken(options.target), options.failed]);
    },
  };
}
