import { describe, expect, it } from 'vitest';
import { resolveServices } from './declaration.js';

const command = { command: 'node', args: ['server.js'] };

describe('resolveServices', () => {
  it('applies the defaults: per-test, restart on rerun', () => {
    expect(resolveServices({ services: { web: { command } } })).toEqual([
      { name: 'web', kind: 'command', options: command, pristine: 'per-test', rerun: 'restart' },
    ]);
  });

  it('accepts no services (tests ask for their own)', () => {
    expect(resolveServices({})).toEqual([]);
    expect(resolveServices({ services: {} })).toEqual([]);
  });

  it.each([
    [undefined, 'Expected the `options` option to be an object, got `undefined` (undefined).'],
    [
      { services: ['web'] },
      'Expected the `services` option to be an object of services by name, got `["web"]` (array).',
    ],
    [
      { services: { web: { command, nginx: {} } } },
      'Expected the `services.web` option to be an object with exactly one of `nginx`, `container`, `compose` or `command`, got `{"command":{"command":"node","args":["server.js"]},"nginx":{}}` (object).',
    ],
    [
      { services: { web: { command, pristine: 'per-file' } } },
      "Expected the `services.web.pristine` option to be `'per-test'`, `'per-worker'` or `'shared'`, got `per-file` (string).",
    ],
    [
      { services: { web: { command, rerun: 'sometimes' } } },
      "Expected the `services.web.rerun` option to be `'keep'` or `'restart'`, got `sometimes` (string).",
    ],
    [
      { services: { web: { command: { command: '' } } } },
      'Expected the `services.web.command.command` option to be a non-empty string, got `` (string).',
    ],
    [
      { services: { web: { command: { command: 'node', readyPath: 'health' } } } },
      'Expected the `services.web.command.readyPath` option to be a path starting with `/`, got `health` (string).',
    ],
    [
      { services: { web: { nginx: { config: () => 'x' } } } },
      "Expected the `services.web.nginx.config` option to be serialisable (no functions, symbols or bigints: Vitest's `provide` and Jest's config pass it to other processes), got a function.",
    ],
    [
      { services: { 'a b': { command } } },
      'Expected the `services` option to be keyed by names of letters, digits, `_`, `.` or `-`, got `a b` (string).',
    ],
  ])('rejects %o', (options, message) => {
    expect(() => resolveServices(options)).toThrow(message);
  });
});
