import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseBindFailureMessage } from '../src/watch/parse-bind-failure.js';

interface Entry {
  readonly family: string;
  readonly source: string;
  readonly text: string;
  readonly port: number | null;
  readonly host: string | null;
  readonly cause: 'in-use' | 'permission' | 'not-available' | 'unknown';
  readonly path?: string;
}

const corpus = JSON.parse(
  readFileSync(new URL('./bind-failure-corpus.json', import.meta.url), 'utf8'),
) as Entry[];

const causes = {
  EADDRINUSE: 'in-use',
  EACCES: 'permission',
  EADDRNOTAVAIL: 'not-available',
} as const;

function score(entries: readonly Entry[]) {
  let port = 0;
  let cause = 0;
  let host = 0;
  const wrong: string[] = [];
  const misses: string[] = [];
  for (const e of entries) {
    const parsed = parseBindFailureMessage(e.text);
    const got = parsed.errno === undefined ? 'unknown' : causes[parsed.errno];
    if ((parsed.port ?? null) === e.port) port += 1;
    else if (parsed.port !== undefined) wrong.push(`${e.source}: ${parsed.port} for ${e.port}`);
    else misses.push(`${e.source}: no port for ${e.port}`);
    if (got === e.cause) cause += 1;
    else misses.push(`${e.source}: cause ${got} for ${e.cause}`);
    if ((parsed.host ?? null) === e.host) host += 1;
  }
  return { port, cause, host, wrong, misses };
}

const percent = (n: number, of: number) => `${((100 * n) / of).toFixed(1)} %`;

describe('the corpus of bind failures pasted in public issue threads', () => {
  it('every entry has its source, its text and what it should read as', () => {
    expect(corpus.length).toBeGreaterThanOrEqual(200);
    for (const e of corpus) {
      expect(e.source).toMatch(/^https:\/\/github\.com\/[^/]+\/[^/]+\/(issues|pull)\/\d+$/);
      expect(e.text.length).toBeGreaterThan(0);
      expect(['in-use', 'permission', 'not-available', 'unknown']).toContain(e.cause);
    }
  });

  it('reads the port of >= 95 % and the cause of >= 90 %, and never a wrong port', () => {
    const total = score(corpus);
    const families = [...new Set(corpus.map((e) => e.family))].sort();
    const rows = families.map((f) => {
      const entries = corpus.filter((e) => e.family === f);
      const s = score(entries);
      return `  ${f.padEnd(11)} ${String(entries.length).padStart(3)}  port ${String(s.port).padStart(3)}  cause ${String(s.cause).padStart(3)}  wrong ${s.wrong.length}`;
    });
    const withPort = corpus.filter((e) => e.port !== null);
    const found = withPort.filter((e) => parseBindFailureMessage(e.text).port === e.port).length;
    // The score line is the figure this test exists to print.
    process.stdout.write(
      [
        `bind-failure corpus: ${corpus.length} messages; port right ${percent(total.port, corpus.length)} (found ${found}/${withPort.length}, silent where none), cause right ${percent(total.cause, corpus.length)}, host right ${percent(total.host, corpus.length)}, wrong ports ${total.wrong.length}`,
        ...rows,
        ...total.misses.map((m) => `  miss: ${m}`),
        ...total.wrong.map((w) => `  WRONG: ${w}`),
        '',
      ].join('\n'),
    );
    expect(total.wrong).toEqual([]);
    expect(total.port / corpus.length).toBeGreaterThanOrEqual(0.95);
    expect(total.cause / corpus.length).toBeGreaterThanOrEqual(0.9);
  });
});
