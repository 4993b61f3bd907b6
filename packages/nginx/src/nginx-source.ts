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

const looksLikePath = (value: string) => !/[\n{;]/.test(value);

/** Reads and parses the user's config (path or text) or snippet. */
export function loadSource(options: {
  readonly config?: string;
  readonly snippet?: string;
}): NginxSource {
  if (options.config !== undefined) {
    if (looksLikePath(options.config)) {
      const path = resolve(options.config);
      let text: string;
      try {
        text = readFileSync(path, 'utf8');
      } catch (error) {
        throw new RebindError(
          'REBIND_CONFIG_INVALID',
          `The nginx config \`${options.config}\` could not be read (${(error as Error).message}). Pass the path of your nginx.conf, or its text, as \`config\`.`,
          { cause: error, details: { config: options.config } },
        );
      }
      return { directives: parseConfig(text, path, dirname(path)), label: path };
    }
    return {
      directives: parseConfig(options.config, '<config>', process.cwd()),
      label: '<config>',
    };
  }
  const snippet = parseConfig(options.snippet ?? '', '<snippet>', process.cwd());
  const at = (name: string, block: Directive[]): Directive => ({
    name,
    args: [],
    file: REBIND_FILE,
    line: 0,
    block,
  });
  const httpLevel = snippet.some((d) => d.name === 'server');
  return {
    directives: [at('http', httpLevel ? snippet : [at('server', snippet)])],
    label: '<snippet>',
  };
}
