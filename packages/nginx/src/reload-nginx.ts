import { randomBytes } from 'node:crypto';
import { chmodSync } from 'node:fs';
import { RebindError, isRunning, processTree } from '@rebind/core';
import { indentOutput, throwIfAborted } from '@rebind/core/internal';
import { writeFreshFile } from './fresh-file.js';
import { fileSize, logSince } from './log-since.js';
import { configError } from './nginx-errors.js';
import { answersToken, type ReadyTarget } from './ready-check.js';
import type { LineMap } from './render-config.js';
import type { NginxInstance } from './started-nginx.js';

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * `'reload'`: renders a new token, sends HUP to the master, and resolves once the new
 * configuration answers and every old worker has exited (old workers keep accepting for
 * a while after HUP, so "a new answer" alone does not prove that no old one follows).
 */
export async function reloadNginx(
  instance: NginxInstance,
  options: {
    readonly reread: () => Promise<void>;
    readonly render: (target: ReadyTarget) => { text: string; lines: LineMap };
    readonly target: (token: string) => ReadyTarget;
    readonly conf: string;
    readonly errorLogPath: string;
    readonly timeout: number;
    readonly signal?: AbortSignal;
  },
): Promise<NginxInstance> {
  await options.reread();
  const target = options.target(randomBytes(8).toString('hex'));
  const { text, lines } = options.render(target);
  writeFreshFile(options.conf, text);
  const master = instance.process.pid;
  const oldWorkers = processTree(master).filter((pid) => pid !== master);
  const logStart = fileSize(options.errorLogPath);
  process.kill(master, 'SIGHUP');
  const deadline = performance.now() + options.timeout;
  for (let i = 0; ; i++) {
    throwIfAborted(options.signal, 'Reloading nginx');
    if (!isRunning(master)) {
      throw new RebindError(
        'REBIND_PROCESS_EXITED',
        `nginx (master ${master}) exited during a reload. Its output:\n${indentOutput(instance.process.output())}`,
      );
    }
    const fresh = await answersToken(target);
    if (fresh && oldWorkers.every((pid) => !isRunning(pid))) {
      // nginx makes unix sockets 0666 when it binds them: keep the new one private too.
      if ('socketPath' in target) chmodSync(target.socketPath, 0o600);
      return { ...instance, token: target.token, lines };
    }
    if (i % 10 === 0) {
      const log = logSince(options.errorLogPath, logStart);
      const error = /\[emerg\]/.test(log) ? configError(log, options.conf, lines) : undefined;
      if (error) throw error;
    }
    if (performance.now() > deadline) {
      throw new RebindError(
        'REBIND_START_TIMEOUT',
        `nginx (master ${master}) did not finish its reload within ${options.timeout} ms: ${fresh ? 'the new configuration answers, but old workers still run' : 'the new configuration never answered'}. Raise \`readyTimeout\`, or look at the error log.`,
        { details: { pid: master, oldWorkers } },
      );
    }
    await sleep(1);
  }
}
