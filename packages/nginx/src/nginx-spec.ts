// The configuration pieces an nginx instance is started from (config or snippet, plus
// test-nginx's http_config/main_config/user_files), their option rules, and the user files
// written into the private prefix. A restart may replace them: `restart({ snippet })`.
import { chmodSync, existsSync, mkdirSync } from 'node:fs';
import { dirname, isAbsolute, join, normalize } from 'node:path';
import { restartStrategies } from '@rebind/core';
import {
  abortSignal,
  boolean,
  invalidOption,
  isObject,
  optionPath,
  rule,
  string,
  validateOptions,
  validateStrategy,
  type Schema,
} from '@rebind/core/internal';
import { writeFreshFile } from './fresh-file.js';
import type { SourceOptions } from './nginx-source.js';

/** What an instance is started from; a restart may replace it (`restart({ snippet })`). */
export interface NginxConfigOptions extends SourceOptions {
  /**
   * Files written into the prefix before each start, by path relative to it
   * (test-nginx's `--- user_files`): `{ 'html/index.html': '<p>hi</p>' }`. The default
   * `root` is `<prefix>/html`. They are readable by nginx's workers, nothing else of the
   * prefix is. @default {}
   */
  readonly userFiles?: Readonly<Record<string, string>>;
}

export const configKeys = ['config', 'snippet', 'httpConfig', 'mainConfig', 'userFiles'] as const;

const userFiles = rule('an object of file contents by relative path', (value, at) => {
  if (!isObject(value)) throw invalidOption(at.path, userFiles.expected, value);
  for (const [path, content] of Object.entries(value)) {
    if (path === '' || isAbsolute(path) || normalize(path).split(/[\\/]/)[0] === '..')
      throw invalidOption(`${at.path} path`, 'a relative path inside the prefix', path);
    if (typeof content !== 'string')
      throw invalidOption(`${at.path}[${JSON.stringify(path)}]`, 'a string', content);
  }
});

/** The rules of the configuration pieces, shared by startNginx's and restart()'s schemas. */
export const configSchema: Schema = {
  config: string('a path or text'),
  snippet: string('a `server { }` block or a server body'),
  httpConfig: string('directives of the `http` block'),
  mainConfig: string('main-level directives (`load_module ...;`)'),
  userFiles,
};

const restartSchema: Schema = {
  ...configSchema,
  strategy: rule('a restart strategy', (value, at) => {
    validateStrategy(value, restartStrategies, at.path);
  }),
  discardStandby: boolean,
  signal: abortSignal,
};

/** Exactly one of `config` and `snippet` (REBIND_INVALID_OPTION otherwise). */
export function requireOneSource(options: object, path = ''): void {
  const { config, snippet } = options as { config?: unknown; snippet?: unknown };
  if ((config === undefined) === (snippet === undefined))
    throw invalidOption(
      optionPath(path, 'config'),
      'a path or text, or else a `snippet` (exactly one of them)',
      config,
    );
}

/** Checks `restart()`'s options: unknown keys are refused; new pieces need a config or snippet. */
export function validateRestartOptions(options: unknown, path = ''): void {
  validateOptions(options, restartSchema, { path, owner: "nginx's restart()" });
  if (hasConfig(options)) requireOneSource(options, path);
}

/** The configuration pieces of `options`, nothing else. */
export function pickConfig(options: NginxConfigOptions): NginxConfigOptions {
  const picked: Record<string, unknown> = {};
  for (const key of configKeys) if (options[key] !== undefined) picked[key] = options[key];
  return picked as NginxConfigOptions;
}

/** True when `options` names any configuration piece (then it replaces the whole set). */
export const hasConfig = (options: object): boolean =>
  configKeys.some((key) => (options as Record<string, unknown>)[key] !== undefined);

/**
 * Writes the user files into the private prefix. Only the master (the starting user) reads
 * conf/, so files there are 0600. Anything else is served by nginx's workers, which run as
 * root's unprivileged worker user (nobody): as root those files are 0644 in 0711
 * directories (readable by path, never listable, like the 0711 prefix itself); otherwise
 * the workers run as the starting user and everything stays 0600 in 0700 directories.
 */
export function writeUserFiles(prefix: string, files: NginxConfigOptions['userFiles']): void {
  const root = process.getuid?.() === 0;
  for (const [path, content] of Object.entries(files ?? {})) {
    const target = join(prefix, path);
    const served = root && normalize(path).split(/[\\/]/)[0] !== 'conf';
    mkdirDeep(prefix, dirname(normalize(path)), served ? 0o711 : 0o700);
    // A new file each time (see writeFreshFile); the umask may mask the creation mode.
    writeFreshFile(target, content, served ? 0o644 : 0o600);
    chmodSync(target, served ? 0o644 : 0o600);
  }
}

/** Creates `relative`'s directories under `prefix` one by one with `mode` (not the umask's). */
function mkdirDeep(prefix: string, relative: string, mode: number): void {
  let at = prefix;
  for (const part of relative.split(/[\\/]/)) {
    if (part === '' || part === '.') continue;
    at = join(at, part);
    if (existsSync(at)) continue;
    mkdirSync(at, { mode });
    chmodSync(at, mode);
  }
}
