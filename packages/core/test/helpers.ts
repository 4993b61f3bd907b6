// Helpers the core unit tests share (not part of the package: outside src/).
import { connect } from 'node:net';
import { isRebindError, type RebindError } from '../src/errors.js';

/** Connects to 127.0.0.1:`port` and resolves to everything the server sends before it ends. */
export function readAll(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let text = '';
    socket.setEncoding('utf8');
    socket.on('data', (d: string) => (text += d));
    socket.on('end', () => resolve(text));
    socket.on('error', reject);
  });
}

/** Retries `attempt` every 50 ms until it resolves (the test's timeout bounds it). */
export async function eventually<T>(attempt: () => Promise<T>): Promise<T> {
  for (;;) {
    try {
      return await attempt();
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

/** The RebindError `promise` rejects with; throws if it resolves or rejects otherwise. */
export async function rejection(promise: Promise<unknown>): Promise<RebindError> {
  try {
    await promise;
  } catch (error) {
    if (isRebindError(error)) return error;
    throw error;
  }
  throw new Error('expected a rejection');
}
