import {
  httpGet,
  listeningInodes,
  pidsHoldingSockets,
  processTree,
  type ReadyCheck,
} from '@rebind/core';
import { READY_HOST, READY_PATH } from './render-config.js';

/**
 * Proves the answer comes from the new instance: its token served by the readiness
 * location rebind adds (an old instance serves another token), or, without an http
 * block, the listener held by the new master's tree. `failure()` (nginx's bind error
 * line seen on stderr) fails the start at once instead of after nginx's 2.5 s of retries.
 */
export function readyCheck(options: {
  readonly host: string;
  readonly port: number;
  readonly token: string | undefined;
  readonly failure: () => string | undefined;
}): ReadyCheck {
  const host = options.host.includes(':') ? `[${options.host}]` : options.host;
  const url = `http://${host}:${options.port}${READY_PATH}`;
  return {
    check: async ({ pid }) => {
      const failure = options.failure();
      if (failure !== undefined) throw new Error(failure);
      if (options.token === undefined) {
        return pidsHoldingSockets(processTree(pid), listeningInodes(options.port)).length > 0;
      }
      try {
        const answer = await httpGet(url, { host: READY_HOST }, 1000);
        return answer.status === 200 && answer.body === options.token;
      } catch {
        return false;
      }
    },
  };
}

export { READY_HOST, READY_PATH };
