import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PlacedUserFiles } from './user-files.js';

describe('PlacedUserFiles', () => {
  let prefix = '';
  beforeEach(() => {
    prefix = mkdtempSync(join(tmpdir(), 'rebind-user-files-'));
    for (const dir of ['conf', 'logs', 'run', 'temp']) mkdirSync(join(prefix, dir));
  });
  afterEach(() => rmSync(prefix, { recursive: true, force: true }));
  const at = (path: string) => join(prefix, path);

  it("removes the previous set's files and the directories they leave empty, keeps the new set's", () => {
    const files = new PlacedUserFiles(prefix);
    files.place({
      'html/a/deep.html': 'a',
      'html/both.html': 'old',
      'conf/extra.conf': '# one',
      'lua/lib.lua': 'x',
    });
    writeFileSync(at('conf/nginx.conf'), '# rendered');
    files.place({ 'html/both.html': 'new', 'html/b.html': 'b' });
    expect(existsSync(at('html/a'))).toBe(false);
    expect(existsSync(at('lua'))).toBe(false);
    expect(existsSync(at('conf/extra.conf'))).toBe(false);
    // the prefix's own directories and files stay
    expect(existsSync(at('conf/nginx.conf'))).toBe(true);
    expect(readFileSync(at('html/both.html'), 'utf8')).toBe('new');
    expect(readFileSync(at('html/b.html'), 'utf8')).toBe('b');
  });

  it('rewrites the same set (a file a test changed is restored), and keeps a non-empty directory', () => {
    const files = new PlacedUserFiles(prefix);
    files.place({ 'html/index.html': 'pristine', './html/gone.html': 'g' });
    writeFileSync(at('html/index.html'), 'changed by a test');
    writeFileSync(at('html/not-ours.html'), 'written by nginx or the test');
    files.place({ 'html/index.html': 'pristine' });
    expect(readFileSync(at('html/index.html'), 'utf8')).toBe('pristine');
    expect(existsSync(at('html/gone.html'))).toBe(false);
    expect(existsSync(at('html/not-ours.html'))).toBe(true);
    files.place(undefined);
    expect(existsSync(at('html/index.html'))).toBe(false);
    expect(existsSync(at('html'))).toBe(true);
  });
});
