import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { RebindError, indentOutput, listeningInodes } from '@rebind/core';
import { REBIND_FILE } from './nginx-source.js';
import type { LineMap } from './render-config.js';

/** `nginx: [emerg] bind() to 127.0.0.1:41234 failed (98: Address already in use)` */
export const BIND_FAILURE = /\[emerg\] bind\(\) to (\S+) failed \((\d+): ([^)]*)\)/;

function holderOf(port: number): { pid: number; command: string } | undefined {
  const inodes = listeningInodes(port);
  if (inodes.size === 0) return undefined;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let fds: string[];
    try {
      fds = readdirSync(`/proc/${entry}/fd`);
    } catch {
      continue;
    }
    for (const fd of fds) {
      try {
        const target = readlinkSync(`/proc/${entry}/fd/${fd}`);
        if (target.startsWith('socket:[') && inodes.has(target.slice(8, -1))) {
          let command = '?';
          try {
            command = readFileSync(`/proc/${entry}/cmdline`, 'utf8')
              .split('\0')
              .filter(Boolean)
              .join(' ')
              .replace(/\s+/g, ' ');
          } catch {
            // hidden or gone
          }
          return { pid: Number(entry), command };
        }
      } catch {
        // fd closed while we looked
      }
    }
  }
  return undefined;
}

/**
 * `REBIND_PORT_IN_USE` for nginx's `[emerg] bind() ... failed` line, naming the holder.
 * (Falls back to a /proc scan until the watcher's diagnoseBindFailure is used here.)
 */
export function bindFailureError(line: string, port: number, output: string): RebindError {
  const match = BIND_FAILURE.exec(line);
  const address = match?.[1] ?? `port ${port}`;
  const holder = holderOf(port);
  const who =
    holder === undefined
      ? 'held by a process rebind cannot see (another user, another network namespace, or a socket bound but not listening)'
      : `held by pid ${holder.pid} (${holder.command})`;
  return new RebindError(
    'REBIND_PORT_IN_USE',
    `nginx could not bind ${address}: ${who}. Stop that process, or let rebind choose a port (port: 'auto'). nginx's output:\n${indentOutput(output)}`,
    {
      details: { port, address, holder: holder?.pid, errno: Number(match?.[2]) },
      attachments: { output },
    },
  );
}

/** `nginx: [emerg] unknown directive "foo" in /tmp/rebind-nginx-x/conf/nginx.conf:12` */
const CONFIG_ERROR = /\[emerg\] (?:\d+#\d+: )?(.*?) in (\S+):(\d+)\s*$/m;

/**
 * `REBIND_CONFIG_INVALID` with nginx's own message, its file and line mapped back to the
 * user's source; undefined when the output holds no config error.
 */
export function configError(
  output: string,
  rendered: string,
  lines: LineMap,
): RebindError | undefined {
  const match = CONFIG_ERROR.exec(output);
  if (!match || match[2] !== rendered) {
    const other = /\[emerg\] (?:\d+#\d+: )?(.*)$/m.exec(output);
    if (!other || BIND_FAILURE.test(other[0])) return undefined;
    return new RebindError(
      'REBIND_CONFIG_INVALID',
      `nginx rejected the configuration: ${other[1]}. nginx's output:\n${indentOutput(output)}`,
      { details: { message: other[1] }, attachments: { output } },
    );
  }
  const renderedLine = Number(match[3]);
  const mapped = lines[renderedLine - 1];
  const source = mapped?.file === REBIND_FILE ? undefined : mapped;
  const where = source
    ? `${source.file}:${source.line}`
    : `a line rebind added (${rendered}:${renderedLine})`;
  return new RebindError(
    'REBIND_CONFIG_INVALID',
    `nginx rejected the configuration: ${match[1]} in ${where} (rendered copy: ${rendered}:${renderedLine}). Fix that line. nginx's output:\n${indentOutput(output)}`,
    {
      details: {
        message: match[1],
        file: source?.file,
        line: source?.line,
        rendered,
        renderedLine,
      },
      attachments: { output },
    },
  );
}
