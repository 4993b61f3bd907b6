// The README code blocks the consumer projects run, taken from the READMEs themselves so
// the docs cannot drift from what works.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const repo = fileURLToPath(new URL('../../../', import.meta.url));

export interface CodeBlock {
  readonly lang: string;
  readonly code: string;
  /** 1-based line of the opening fence. */
  readonly line: number;
}

/** Every fenced code block of a Markdown file, in order. */
export function codeBlocks(markdown: string): CodeBlock[] {
  const blocks: CodeBlock[] = [];
  const lines = markdown.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const open = /^```(\w*)\s*$/.exec(lines[i] ?? '');
    if (!open) continue;
    const end = lines.findIndex((l, j) => j > i && /^```\s*$/.test(l));
    if (end === -1) throw new Error(`unclosed code block at line ${i + 1}`);
    blocks.push({
      lang: open[1] ?? '',
      code: lines.slice(i + 1, end).join('\n') + '\n',
      line: i + 1,
    });
    i = end;
  }
  return blocks;
}

/**
 * The one block of `lang` in `readme` (a path from the repository root) whose code
 * contains every string of `containing`. Throws when none or several match, so an edit of
 * the README that breaks the selection fails loudly.
 */
export function readmeBlock(readme: string, lang: string, ...containing: string[]): string {
  const found = codeBlocks(readFileSync(`${repo}${readme}`, 'utf8')).filter(
    (b) => b.lang === lang && containing.every((c) => b.code.includes(c)),
  );
  if (found.length !== 1)
    throw new Error(
      `${readme}: expected one \`${lang}\` block containing ${containing.map((c) => JSON.stringify(c)).join(' and ')}, found ${found.length}`,
    );
  return (found[0] as CodeBlock).code;
}
