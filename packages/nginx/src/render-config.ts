import { basename, isAbsolute, join } from 'node:path';
import type { Directive } from './parse-config.js';
import { unquote } from './parse-config.js';

/** Where each line of the rendered config came from (index 0 is line 1). */
export type LineMap = ReadonlyArray<{ readonly file: string; readonly line: number } | undefined>;

export interface RenderOptions {
  readonly prefix: string;
  readonly host: string;
  /** Original listen port -> the port this instance binds. */
  readonly portMap: ReadonlyMap<number, number>;
  /** The port that carries the readiness location. */
  readonly mainPort: number;
  /** Add `reuseport` to the main port's listens. */
  readonly reuseport: boolean;
  /** Add `reuseport` to the other ports' listens (set on loopback, so that they never race). */
  readonly extraReuseport: boolean;
  /** Served at {@link READY_PATH}: on `readySocket`, else on the main port with Host {@link READY_HOST}. */
  readonly token: string;
  /**
   * A per-instance unix socket for the readiness server. A separate address keeps the
   * main port's servers as they are (a second, named server there makes nginx build its
   * server-names hash: +2-4 ms per start measured here), and old and new instances never
   * share it.
   */
  readonly readySocket?: string;
  /** `user` to add when the master runs as root and nginx's compiled default user is missing. */
  readonly addUser?: string;
  /** Temp-path directives this binary knows (`proxy_temp_path`...). */
  readonly tempPaths: readonly string[];
  /** nginx's compiled prefix, to resolve relative `load_module` paths. */
  readonly compiledPrefix: string;
  /** This instance's pid file and error log (per instance with a standby). @default logs/nginx.pid, logs/error.log */
  readonly pidPath?: string;
  readonly errorLogPath?: string;
  /** This instance's access log, unless your `http` block sets `access_log` (per instance with a standby). @default logs/access.log */
  readonly accessLogPath?: string;
}

export const READY_HOST = 'rebind-ready.invalid';
export const READY_PATH = '/.rebind-ready';

interface Listen {
  readonly port: number;
  readonly unix: boolean;
}

export function parseListen(arg: string): Listen {
  const value = unquote(arg);
  if (value.startsWith('unix:')) return { port: 0, unix: true };
  if (/^\d+$/.test(value)) return { port: Number(value), unix: false };
  const v6 = /^\[[^\]]*\](?::(\d+))?$/.exec(value);
  if (v6) return { port: v6[1] ? Number(v6[1]) : 80, unix: false };
  const hostPort = /:(\d+)$/.exec(value);
  return { port: hostPort ? Number(hostPort[1]) : 80, unix: false };
}

function serverBlocks(directives: readonly Directive[]): Directive[] {
  const found: Directive[] = [];
  for (const d of directives) {
    if ((d.name === 'http' || d.name === 'stream') && d.block) {
      for (const s of d.block) if (s.name === 'server' && s.block) found.push(s);
    }
  }
  return found;
}

/** The distinct TCP ports the config listens on, in order (a server without listen: 80). */
export function listenPorts(directives: readonly Directive[]): number[] {
  const ports: number[] = [];
  for (const server of serverBlocks(directives)) {
    const listens = (server.block ?? []).filter((d) => d.name === 'listen');
    if (listens.length === 0 && !ports.includes(80)) ports.push(80);
    for (const l of listens) {
      const parsed = parseListen(l.args[0] ?? '');
      if (!parsed.unix && !ports.includes(parsed.port)) ports.push(parsed.port);
    }
  }
  return ports;
}

const keepPath = (value: string) =>
  value === 'off' ||
  value === 'stderr' ||
  value.startsWith('syslog:') ||
  value.startsWith('memory:') ||
  value.startsWith('/dev/');

/**
 * Renders the per-instance copy: listens bound to this instance's host and ports, pid,
 * logs and temp paths under the private prefix, `daemon off`, and a readiness location
 * that serves the instance token. Directives the user set are kept, never duplicated.
 */
export function renderConfig(
  directives: readonly Directive[],
  options: RenderOptions,
): { text: string; lines: LineMap } {
  return new ConfigRenderer(options).render(directives);
}

class ConfigRenderer {
  readonly #out: string[] = [];
  readonly #lines: Array<{ file: string; line: number } | undefined> = [];
  readonly #seenAddress = new Set<string>();
  readonly #hostText: string;

  constructor(readonly options: RenderOptions) {
    this.#hostText = options.host.includes(':') ? `[${options.host}]` : options.host;
  }

  render(directives: readonly Directive[]): { text: string; lines: LineMap } {
    const { options } = this;
    const main = new Set(directives.map((d) => d.name));
    // `load_module` must precede every block (the `events {}` rebind may add among them).
    for (const d of directives) if (d.name === 'load_module') this.#renderOne(d, 0, 'main');
    this.#emit(0, 'daemon off;');
    const pid = options.pidPath ?? join(options.prefix, 'logs', 'nginx.pid');
    const errorLog = options.errorLogPath ?? join(options.prefix, 'logs', 'error.log');
    this.#emit(0, `pid ${JSON.stringify(pid)};`);
    if (!main.has('error_log')) this.#emit(0, `error_log ${JSON.stringify(errorLog)};`);
    if (options.addUser !== undefined && !main.has('user'))
      this.#emit(0, `user ${options.addUser};`);
    if (!main.has('events')) this.#emit(0, 'events {}');
    for (const d of directives) {
      if (d.name === 'daemon' || d.name === 'pid' || d.name === 'load_module') continue;
      this.#renderOne(d, 0, 'main');
    }
    return { text: `${this.#out.join('\n')}\n`, lines: this.#lines };
  }

  #emit(depth: number, text: string, from?: Directive): void {
    this.#out.push(`${'    '.repeat(depth)}${text}`);
    this.#lines.push(from ? { file: from.file, line: from.line } : undefined);
  }

  #logPath(arg: string): string {
    const value = unquote(arg);
    return keepPath(value)
      ? arg
      : JSON.stringify(join(this.options.prefix, 'logs', basename(value)));
  }

  /** `host:port`, with `reuseport` on its first listen when the plan asks for it. */
  #address(port: number): { address: string; reuse: boolean } {
    const address = `${this.#hostText}:${port}`;
    const first = !this.#seenAddress.has(address);
    this.#seenAddress.add(address);
    const { mainPort, reuseport, extraReuseport } = this.options;
    return { address, reuse: first && (port === mainPort ? reuseport : extraReuseport) };
  }

  #listenText(d: Directive): string | undefined {
    const parsed = parseListen(d.args[0] ?? '');
    if (parsed.unix) return `listen ${d.args.join(' ')};`;
    const { address, reuse } = this.#address(this.options.portMap.get(parsed.port) ?? parsed.port);
    const params = d.args.slice(1);
    if (reuse && !params.includes('reuseport')) params.push('reuseport');
    return `listen ${[address, ...params].join(' ')};`;
  }

  #renderServer(d: Directive, depth: number): void {
    this.#emit(depth, `server {`, d);
    const inServer = new Set<string>();
    const hasListen = (d.block ?? []).some((c) => c.name === 'listen');
    if (!hasListen) {
      const { address, reuse } = this.#address(this.options.portMap.get(80) ?? 80);
      this.#emit(depth + 1, `listen ${address}${reuse ? ' reuseport' : ''};`, d);
    }
    for (const c of d.block ?? []) {
      if (c.name === 'listen') {
        const text = this.#listenText(c);
        const key = text?.split(' ')[1]?.replace(/;$/, '') ?? '';
        if (text === undefined || inServer.has(key)) continue;
        inServer.add(key);
        this.#emit(depth + 1, text, c);
      } else this.#renderOne(c, depth + 1, 'server');
    }
    this.#emit(depth, '}', d);
  }

  #args(d: Directive): readonly string[] {
    const { options } = this;
    const args = d.args;
    if (d.name === 'error_log' || d.name === 'access_log')
      return [this.#logPath(args[0] ?? ''), ...args.slice(1)];
    if (options.tempPaths.includes(d.name))
      return [
        JSON.stringify(join(options.prefix, 'temp', d.name.replace(/_temp_path$/, ''))),
        ...args.slice(1),
      ];
    if (d.name === 'load_module' && args[0] && !isAbsolute(unquote(args[0])))
      return [JSON.stringify(join(options.compiledPrefix, unquote(args[0])))];
    return args;
  }

  #renderOne(d: Directive, depth: number, context: string): void {
    if (d.raw !== undefined) {
      this.#emit(depth, `${[d.name, ...d.args].join(' ')} {${d.raw}}`, d);
      for (let i = 1; i < d.raw.split('\n').length; i++)
        this.#lines.push({ file: d.file, line: d.line + i });
      return;
    }
    if (d.name === 'server' && d.block && (context === 'http' || context === 'stream')) {
      this.#renderServer(d, depth);
      return;
    }
    const args = this.#args(d);
    if (d.block === undefined) {
      this.#emit(depth, `${[d.name, ...args].join(' ')};`, d);
      return;
    }
    this.#emit(depth, `${[d.name, ...args].join(' ')} {`, d);
    const inner =
      d.name === 'http' || d.name === 'stream' || d.name === 'events' ? d.name : context;
    if (d.name === 'http') this.#renderHttpDefaults(d, depth + 1);
    for (const c of d.block) this.#renderOne(c, depth + 1, inner);
    if (d.name === 'http') this.#renderReadyServer(depth + 1);
    this.#emit(depth, '}', d);
  }

  #renderReadyServer(depth: number): void {
    const { options } = this;
    this.#emit(depth, `server {`);
    if (options.readySocket !== undefined)
      this.#emit(depth + 1, `listen unix:${options.readySocket};`);
    else {
      this.#emit(depth + 1, `listen ${this.#hostText}:${options.mainPort};`);
      this.#emit(depth + 1, `server_name ${READY_HOST};`);
    }
    this.#emit(depth + 1, `location = ${READY_PATH} {`);
    this.#emit(depth + 2, `access_log off;`);
    this.#emit(depth + 2, `default_type text/plain;`);
    this.#emit(depth + 2, `return 200 "${options.token}";`);
    this.#emit(depth + 1, `}`);
    this.#emit(depth, `}`);
  }

  #renderHttpDefaults(http: Directive, depth: number): void {
    const { options } = this;
    const names = new Set((http.block ?? []).map((c) => c.name));
    const accessLog = options.accessLogPath ?? join(options.prefix, 'logs', 'access.log');
    if (!names.has('access_log')) this.#emit(depth, `access_log ${JSON.stringify(accessLog)};`);
    for (const temp of options.tempPaths) {
      if (!names.has(temp))
        this.#emit(
          depth,
          `${temp} ${JSON.stringify(join(options.prefix, 'temp', temp.replace(/_temp_path$/, '')))};`,
        );
    }
  }
}
