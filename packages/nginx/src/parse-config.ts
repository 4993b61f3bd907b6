import { readdirSync, readFileSync } from 'node:fs';
import { basename, dirname, isAbsolute, join } from 'node:path';
import { RebindError } from '@rebind/core';

/** One directive of an nginx configuration, with where it came from. */
export interface Directive {
  name: string;
  /** Arguments as written (quotes kept). */
  args: string[];
  /** The user's file (or `<config>`, `<snippet>`) and 1-based line. */
  readonly file: string;
  readonly line: number;
  /** Children of a `{ }` block. */
  block?: Directive[];
  /** The raw body of a `*_by_lua_block { }` (not nginx syntax), copied as is. */
  raw?: string;
}

interface Token {
  readonly text: string;
  readonly line: number;
  readonly kind: 'word' | ';' | '{' | '}';
}

function syntaxError(file: string, line: number, what: string): RebindError {
  return new RebindError('REBIND_CONFIG_INVALID', `nginx configuration ${file}:${line}: ${what}.`, {
    details: { file, line },
  });
}

function tokenize(text: string, file: string): Token[] {
  const tokens: Token[] = [];
  let line = 1;
  let i = 0;
  while (i < text.length) {
    const c = text[i] as string;
    if (c === '\n') {
      line++;
      i++;
    } else if (c === ' ' || c === '\t' || c === '\r') i++;
    else if (c === '#') {
      while (i < text.length && text[i] !== '\n') i++;
    } else if (c === ';' || c === '{' || c === '}') {
      tokens.push({ text: c, line, kind: c });
      i++;
      const previous = tokens[tokens.length - 2];
      if (c === '{' && previous?.kind === 'word' && /_by_lua_block$/.test(previous.text)) {
        // Copy a Lua block raw, up to its matching brace.
        let depth = 1;
        const start = i;
        while (i < text.length && depth > 0) {
          if (text[i] === '{') depth++;
          else if (text[i] === '}') depth--;
          if (text[i] === '\n') line++;
          i++;
        }
        tokens.push({ text: text.slice(start, i - 1), line, kind: 'word' });
        tokens.push({ text: '}', line, kind: '}' });
      }
    } else {
      const start = i;
      const startLine = line;
      if (c === '"' || c === "'") {
        i++;
        while (i < text.length && text[i] !== c) {
          if (text[i] === '\\') i++;
          if (text[i] === '\n') line++;
          i++;
        }
        if (i >= text.length) throw syntaxError(file, startLine, 'unterminated quoted string');
        i++;
      } else {
        while (i < text.length && !/[\s;{}]/.test(text[i] as string)) {
          if (text[i] === '$' && text[i + 1] === '{') {
            while (i < text.length && text[i] !== '}') i++;
          }
          if (text[i] === '\\') i++;
          i++;
        }
      }
      tokens.push({ text: text.slice(start, i), line: startLine, kind: 'word' });
    }
  }
  return tokens;
}

function unquote(word: string): string {
  return /^(["']).*\1$/s.test(word) ? word.slice(1, -1) : word;
}

function expandInclude(pattern: string, baseDir: string): string[] {
  const path = isAbsolute(pattern) ? pattern : join(baseDir, pattern);
  if (!/[*?[]/.test(path)) return [path];
  const dir = dirname(path);
  const re = new RegExp(
    `^${basename(path)
      .replace(/[.+^${}()|\\]/g, '\\$&')
      .replace(/\*/g, '.*')
      .replace(/\?/g, '.')}$`,
  );
  try {
    return readdirSync(dir)
      .filter((f) => re.test(f))
      .sort()
      .map((f) => join(dir, f));
  } catch {
    return [];
  }
}

/**
 * Parses nginx configuration text into directives that remember their source file and
 * line. `include` directives naming readable files are inlined (globs expanded, relative
 * paths resolved against `baseDir`), so their listens are rewritten too.
 */
export function parseConfig(text: string, file: string, baseDir: string, depth = 0): Directive[] {
  const tokens = tokenize(text, file);
  let pos = 0;
  const parseBlock = (closing: boolean): Directive[] => {
    const list: Directive[] = [];
    for (;;) {
      const token = tokens[pos];
      if (token === undefined) {
        if (closing)
          throw syntaxError(
            file,
            tokens[pos - 1]?.line ?? 1,
            'unexpected end of file, expecting "}"',
          );
        return list;
      }
      if (token.kind === '}') {
        if (!closing) throw syntaxError(file, token.line, 'unexpected "}"');
        pos++;
        return list;
      }
      if (token.kind !== 'word') throw syntaxError(file, token.line, `unexpected "${token.text}"`);
      const directive: Directive = { name: token.text, args: [], file, line: token.line };
      pos++;
      for (;;) {
        const next = tokens[pos];
        if (next === undefined)
          throw syntaxError(file, token.line, 'unexpected end of file, expecting ";" or "}"');
        pos++;
        if (next.kind === ';') break;
        if (next.kind === '{') {
          if (/_by_lua_block$/.test(directive.name)) {
            directive.raw = tokens[pos]?.text ?? '';
            pos += 2;
          } else directive.block = parseBlock(true);
          break;
        }
        if (next.kind === '}') throw syntaxError(file, next.line, 'unexpected "}"');
        directive.args.push(next.text);
      }
      if (directive.name === 'include' && directive.args.length === 1 && depth < 16) {
        const paths = expandInclude(unquote(directive.args[0] as string), baseDir);
        const texts = paths.map((p) => {
          try {
            return { path: p, text: readFileSync(p, 'utf8') };
          } catch {
            return undefined;
          }
        });
        if (texts.every((t) => t !== undefined)) {
          for (const t of texts) list.push(...parseConfig(t.text, t.path, baseDir, depth + 1));
          continue;
        }
      }
      list.push(directive);
    }
  };
  return parseBlock(false);
}

export { unquote };
