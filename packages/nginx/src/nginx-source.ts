import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { RebindError } from '@rebind/core';
import { parseConfig, type Directive } from './parse-config.js';

/** Marks directives rebind adds around a snippet (no user line to map to). */
export const REBIND_FILE = '<rebind>';

export interface NginxSource {
  readonly directives: Directive[];
  /** `/etc/nginx/nginx.conf`, `<config>` or `<snippet>`. */
  readonly label: string;
}

/** The pieces a configuration is made of (see `StartNginxOptions`). */
export interface SourceOptions {
  readonly config?: string;
  readonly snippet?: string;
  readonly httpConfig?: string;
  readonly mainConfig?: string;
}

const looksLikePath = (value: string) => !/[\n{;]/.test(value);

const at = (name: string, block: Directive[]): Directive => ({
  name,
  args: [],
  file: REBIND_FILE,
  line: 0,
  block,
});

function readConfig(config: string): { directives: Directive[]; label: string } {
  if (!looksLikePath(config)) {
    return {
      directives: parseConfig(config, '<config>', process.cwd()),
      label: '<config>',
    };
  }
  const path = resolve(config);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new RebindError(
      'REBIND_CONFIG_INVALID',
      `The nginx config \`${config}\` could not be read (${(error as Error).message}). Pass the path of your nginx.conf, or its text, as \`config\`.`,
      { cause: error, details: { config } },
    );
  }
  return { directives: parseConfig(text, path, dirname(path)), label: path };
}

/**
 * Reads and parses the user's config (path or text) or snippet, with `mainConfig`'s
 * directives at the main level first and `httpConfig`'s first in the `http` block
 * (test-nginx's `--- main_config` and `--- http_config`).
 */
export function loadSource(options: SourceOptions): NginxSource {
  const piece = (label: string, text: string | undefined): Directive[] =>
    text === undefined ? [] : parseConfig(text, label, process.cwd());
  const main = piece('<mainConfig>', options.mainConfig);
  const http = piece('<httpConfig>', options.httpConfig);
  if (options.config !== undefined) {
    const read = readConfig(options.config);
    const directives = [...main, ...read.directives];
    if (http.length > 0) {
      const block = directives.find((d) => d.name === 'http')?.block;
      if (block) block.unshift(...http);
      else directives.push(at('http', http));
    }
    return { directives, label: read.label };
  }
  const snippet = piece('<snippet>', options.snippet ?? '');
  const httpLevel = snippet.some((d) => d.name === 'server');
  return {
    directives: [
      ...main,
      at('http', [...http, ...(httpLevel ? snippet : [at('server', snippet)])]),
    ],
    label: '<snippet>',
  };
}
