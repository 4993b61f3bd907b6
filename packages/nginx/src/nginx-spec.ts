import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, isAbsolute, join, normalize } from 'node:path';
import { invalidOption } from '@rebind/core/internal';
import type { SourceOptions } from './nginx-source.js';

/** What an instance is started from; a restart may replace it (`restart({ snippet })`). */
export interface NginxConfigOptions extends SourceOptions {
  /**
   * Files written into the prefix before each start, by path relative to it
   * (test-nginx's `--- user_files`): `{ 'html/index.html': '<p>hi</p>' }`. The default
   * `root` is `<prefix>/html`. @default {}
   */
  readonly userFiles?: Readonly<Record<string, string>>;
}

export const configKeys = ['config', 'snippet', 'httpConfig', 'mainConfig', 'userFiles'] as const;

/** Validates the configuration pieces of an options object (`holder` names it in messages). */
export function validateConfigOptions(options: NginxConfigOptions, holder = ''): void {
  const name = (key: string) => `${holder}${key}`;
  if ((options.config === undefined) === (options.snippet === undefined))
    throw invalidOption(
      name('config'),
      'a path or text, or else a `snippet` (exactly one of them)',
      options.config,
    );
  for (const key of ['config', 'snippet', 'httpConfig', 'mainConfig'] as const) {
    const value = options[key];
    if (value !== undefined && typeof value !== 'string')
      throw invalidOption(name(key), 'a string of nginx configuration', value);
  }
  const files = options.userFiles;
  if (files === undefined) return;
  if (typeof files !== 'object' || files === null || Array.isArray(files))
    throw invalidOption(name('userFiles'), 'an object of file contents by relative path', files);
  for (const [path, content] of Object.entries(files)) {
    if (isAbsolute(path) || normalize(path).startsWith('..'))
      throw invalidOption(`${name('userFiles')} path`, 'relative, inside the prefix', path);
    if (typeof content !== 'string')
      throw invalidOption(`${name('userFiles')}[${JSON.stringify(path)}]`, 'a string', content);
  }
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

export function writeUserFiles(prefix: string, files: NginxConfigOptions['userFiles']): void {
  for (const [path, content] of Object.entries(files ?? {})) {
    const target = join(prefix, path);
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, content);
  }
}
