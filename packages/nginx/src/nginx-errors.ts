import { readFileSync } from 'node:fs';
import { RebindError, diagnoseBindFailure } from '@rebind/core';
import { indentOutput } from '@rebind/core/internal';
import { REBIND_FILE } from './nginx-source.js';
import type { LineMap } from './render-config.js';

/** `nginx: [emerg] bind() to 127.0.0.1:41234 failed (98: Address already in use)` */
export const BIND_FAILURE = /\[emerg\] bind\(\) to (\S+) failed \((\d+): ([^)]*)\)/;

/**
 * `REBIND_PORT_IN_USE` for nginx's `[emerg] bind() ... failed` line: the watcher's
 * diagnosis (holder, cause, fix), then nginx's own output.
 */
export async function bindFailureError(
  line: string,
  options: { readonly port: number; readonly host: string; readonly reusePort: boolean },
  output: string,
): Promise<RebindError> {
  const diagnosis = await diagnoseBindFailure({
    port: options.port,
    host: options.host,
    message: line,
    reuseAddr: true,
    reusePort: options.reusePort,
    server: 'nginx',
  });
  return new RebindError(
    'REBIND_PORT_IN_USE',
    `${diagnosis.message}\nnginx's output:\n${indentOutput(output)}`,
    { cause: diagnosis.cause, details: diagnosis.details, attachments: { output } },
  );
}

/** Line `line` (1-based) of the rendered file, trimmed; undefined if it cannot be read. */
function renderedText(file: string, line: number): string | undefined {
  try {
    return readFileSync(file, 'utf8').split('\n')[line - 1]?.trim() || undefined;
  } catch {
    return undefined;
  }
}

/**
 * A `config` that holds only server blocks (or a server's body) gets "`server` directive
 * is not allowed here": such text belongs in `snippet`.
 */
function snippetHint(message: string, file: string | undefined): string {
  if (
    file === '<snippet>' ||
    !/^"(server|location|upstream|listen)" directive is not allowed here/.test(message)
  )
    return '';
  return " `config` is a whole nginx.conf (with `events {}` and `http {}`); pass server blocks, or a server's body, as `snippet` instead.";
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
  // quoted, because the copy is removed with the prefix unless keepPrefix is set
  const quoted = renderedText(rendered, renderedLine);
  const copy = `rendered copy: ${rendered}:${renderedLine}${quoted === undefined ? '' : `, \`${quoted}\``}`;
  return new RebindError(
    'REBIND_CONFIG_INVALID',
    `nginx rejected the configuration: ${match[1]} in ${where} (${copy}). ${missingModule(match[1] ?? '') ?? 'Fix that line.'}${snippetHint(match[1] ?? '', source?.file)} nginx's output:\n${indentOutput(output)}`,
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

/**
 * For `dlopen() "/usr/share/nginx/modules/ngx_http_echo_module.so" failed (...No such
 * file...)`: what provides that module (Debian names its packages after the module).
 */
export function missingModule(message: string): string | undefined {
  const match = /^dlopen\(\) "([^"]+)" failed .*No such file or directory/.exec(message);
  if (!match) return undefined;
  const path = match[1] as string;
  const name = /(?:^|\/)ngx_(\w+?)_module\.so$/.exec(path)?.[1];
  const pkg = name === undefined ? undefined : `libnginx-mod-${name.replace(/_/g, '-')}`;
  return `The module \`${path}\` is not installed.${pkg ? ` On Debian or Ubuntu it comes with the package \`${pkg}\` (\`apt-get install ${pkg}\`).` : ''} For a module you build, run \`./configure --with-compat --add-dynamic-module=<module source>\` and \`make modules\` in the nginx source of the same version, then give \`load_module\` the absolute path of \`objs/<module>.so\`.`;
}
