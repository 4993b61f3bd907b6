import { format } from 'node:util';
import createDebug from 'debug';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from './logger.js';

describe('createLogger', () => {
  const originalLog = createDebug.log;
  afterEach(() => {
    createDebug.disable();
    createDebug.log = originalLog;
  });

  it('writes under rebind:<namespace> with a [namespace:context] prefix when DEBUG enables it', () => {
    const lines: string[] = [];
    createDebug.log = (...args: unknown[]) => lines.push(format(...args));
    createDebug.enable('rebind:nginx');
    createLogger('nginx', 41234)('restarted in %d ms', 5);
    createLogger('docker')('not enabled');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('rebind:nginx');
    expect(lines[0]).toContain('[nginx:41234] restarted in 5 ms');
  });

  it('writes nothing when DEBUG does not name it', () => {
    const lines: string[] = [];
    createDebug.log = (...args: unknown[]) => lines.push(format(...args));
    createLogger('nginx', 1)('quiet');
    expect(lines).toEqual([]);
  });
});
