import { existsSync } from 'node:fs';
import { request } from 'node:http';
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
 */
export function answersToken(target: ReadyTarget, timeout = 1000): Promise<boolean> {
  if ('socketPath' in target && !existsSync(target.socketPath)) return Promise.resolve(false);
  return new Promise((resolve) => {
    const where =
      'socketPath' in target
        ? { socketPath: target.socketPath }
        : { host: target.host, port: target.port, headers: { host: READY_HOST } };
    const req = request({ ...where, path: READY_PATH, agent: false, timeout }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve(res.statusCode === 200 && body === target.token));
      res.on('error', () => resolve(false));
    });
    req.on('error', () => resolve(false));
    req.on('timeout', () => req.destroy());
    req.end();
  });
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
