import { RebindError, indentOutput } from '../errors.js';
import type { ProcessRun } from './process-run.js';
import { commandText } from './process-run.js';
import { describeReadyCheck, pollReadyCheck } from './readiness.js';
import type { StartProcessOptions } from './process-options.js';
import { throwIfAborted } from '../validate.js';

export function exitedError(run: ProcessRun, options: StartProcessOptions): RebindError {
  const what = `\`${commandText(options)}\``;
  if (run.spawnError !== undefined) {
    const missing = (run.spawnError as NodeJS.ErrnoException).code === 'ENOENT';
    return new RebindError(
      missing ? 'REBIND_COMPONENT_MISSING' : 'REBIND_PROCESS_EXITED',
      missing
        ? `${what} could not be started: \`${options.command}\` was not found (spawn ENOENT${options.cwd ? `, cwd ${options.cwd}` : ''}). Install it, or pass its absolute path as \`command\`.`
        : `${what} could not be started: ${run.spawnError.message}.`,
      { cause: run.spawnError, details: { command: options.command } },
    );
  }
  const how =
    run.exit?.signal != null
      ? `was killed by ${run.exit.signal}`
      : `exited with code ${run.exit?.code}`;
  const output = run.tail.text();
  return new RebindError(
    'REBIND_PROCESS_EXITED',
    `${what} (pid ${run.pid}) ${how} before it was ready (waiting for ${describeReadyCheck(options.ready)}).${
      output.trim() === '' ? ' It printed nothing.' : ` Its output:\n${indentOutput(output)}`
    }`,
    {
      details: {
        command: options.command,
        pid: run.pid,
        code: run.exit?.code,
        signal: run.exit?.signal,
      },
      attachments: { output },
    },
  );
}

function startTimeoutError(
  run: ProcessRun,
  options: StartProcessOptions,
  timeout: number,
): RebindError {
  const output = run.tail.text();
  return new RebindError(
    'REBIND_START_TIMEOUT',
    `\`${commandText(options)}\` (pid ${run.pid}) was not ready within ${timeout} ms (waiting for ${describeReadyCheck(options.ready)}); it was stopped. Check the readiness check and the output, or raise \`readyTimeout\`.${
      output.trim() === '' ? ' It printed nothing.' : ` Its output:\n${indentOutput(output)}`
    }`,
    { details: { command: options.command, pid: run.pid, timeout }, attachments: { output } },
  );
}

export async function waitReady(run: ProcessRun, options: StartProcessOptions): Promise<void> {
  const check = options.ready;
  const timeout = options.readyTimeout ?? 30_000;
  const deadline = performance.now() + timeout;
  const exitedFirst = run.exited.then(() => 'exited' as const);
  const target = { pid: run.pid, output: () => run.tail.text() };
  let interval = options.readyInterval ?? 1;
  const cap = options.readyInterval ?? 20;
  let outputSeen: (() => void) | undefined;
  const stream = check && 'output' in check ? (check.stream ?? 'both') : undefined;
  const unsubscribe = run.onOutput((_, from) => {
    if (stream === 'both' || stream === from) outputSeen?.();
  });
  try {
    for (;;) {
      if (run.exit !== undefined) throw exitedError(run, options);
      throwIfAborted(options.signal, `Starting \`${commandText(options)}\``);
      let ready: boolean;
      if (check === undefined) ready = true;
      else if ('output' in check) {
        const text =
          check.stream === undefined || check.stream === 'both'
            ? run.tail.text()
            : run.tail.text(check.stream);
        ready =
          typeof check.output === 'string' ? text.includes(check.output) : check.output.test(text);
      } else ready = await pollReadyCheck(check, target);
      if (ready) return;
      const left = deadline - performance.now();
      if (left <= 0) throw startTimeoutError(run, options, timeout);
      const wait = Math.min(left, check !== undefined && 'output' in check ? left : interval);
      interval = Math.min(interval * 2, cap);
      let timer: NodeJS.Timeout | undefined;
      const abort = () => outputSeen?.();
      options.signal?.addEventListener('abort', abort, { once: true });
      await Promise.race([
        exitedFirst,
        new Promise<void>((resolve) => {
          outputSeen = resolve;
          timer = setTimeout(resolve, wait);
        }),
      ]);
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', abort);
      outputSeen = undefined;
    }
  } finally {
    unsubscribe();
  }
}
