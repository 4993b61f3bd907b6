import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { RebindError, errorCodes, indentOutput, isRebindError } from './errors.js';
import { invalidOption, validatePort } from './validate.js';

describe('RebindError', () => {
  it('keeps code, cause and details, and hides attachments from enumeration', () => {
    const cause = new Error('EADDRINUSE');
    const error = new RebindError('REBIND_PORT_IN_USE', 'port 80 is held', {
      cause,
      details: { port: 80 },
      attachments: { output: 'x'.repeat(10_000) },
    });
    expect(error.code).toBe('REBIND_PORT_IN_USE');
    expect(error.cause).toBe(cause);
    expect(error.details).toEqual({ port: 80 });
    expect((error as unknown as { output: string }).output).toHaveLength(10_000);
    expect(Object.keys(error)).not.toContain('output');
    expect(error).toBeInstanceOf(Error);
  });

  it("shows its code in the stack's first line (what a failed test prints), keeps its name", () => {
    const error = new RebindError('REBIND_CONFIG_INVALID', 'nginx rejected the configuration');
    expect(error.stack?.split('\n')[0]).toBe(
      'RebindError [REBIND_CONFIG_INVALID]: nginx rejected the configuration',
    );
    expect(error.name).toBe('RebindError');
    expect(String(error)).toBe('RebindError: nginx rejected the configuration');
  });

  it('is recognised across realms by its brand, not by instanceof', async () => {
    const { runInNewContext } = await import('node:vm');
    const foreign = runInNewContext(
      `const e = new Error('x'); Object.defineProperty(e, Symbol.for('rebind.error'), { value: true }); e.code = 'REBIND_ABORTED'; e`,
    ) as unknown;
    expect(foreign instanceof RebindError).toBe(false);
    expect(isRebindError(foreign)).toBe(true);
    expect(isRebindError(foreign, 'REBIND_ABORTED')).toBe(true);
    expect(isRebindError(foreign, 'REBIND_PORT_IN_USE')).toBe(false);
    expect(isRebindError(new Error('plain'))).toBe(false);
    expect(isRebindError(null)).toBe(false);
  });

  it('indents only the tail of long output', () => {
    const output = Array.from({ length: 30 }, (_, i) => `line ${i + 1}`).join('\n');
    const text = indentOutput(output, 3);
    expect(text).toBe('    ... 27 earlier lines\n    line 28\n    line 29\n    line 30');
  });
});

describe('validation wording', () => {
  it('reads like execa', () => {
    expect(() => validatePort(70000)).toThrow(
      'Expected the `port` option to be an integer from 1 to 65535, got `70000` (number).',
    );
    expect(() => validatePort('80')).toThrow(
      'Expected the `port` option to be an integer from 1 to 65535, got `80` (string).',
    );
    expect(invalidOption('range', 'a [low, high] pair', [9, 1]).message).toBe(
      'Expected the `range` option to be a [low, high] pair, got `[9,1]` (array).',
    );
  });
});

describe('docs/errors.md', () => {
  it('has exactly one row per error code, in the same order', () => {
    const doc = readFileSync(new URL('../../../docs/errors.md', import.meta.url), 'utf8');
    const documented = [...doc.matchAll(/^\| `(REBIND_[A-Z_]+)` \|/gm)].map((m) => m[1]);
    expect(documented).toEqual([...errorCodes]);
  });
});
