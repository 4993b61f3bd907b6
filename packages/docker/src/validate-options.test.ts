import { describe, expect, it } from 'vitest';
import { isRebindError } from '@rebind/core';
import { startCompose } from './start-compose.js';
import { startContainer } from './start-container.js';
import { validateComposeOptions } from './validate-compose-options.js';
import { validateContainerOptions } from './validate-container-options.js';

// Validation runs before the engine is reached: these need no Docker engine.
const rejected = async (promise: Promise<unknown>): Promise<string> => {
  try {
    await promise;
  } catch (error) {
    if (isRebindError(error, 'REBIND_INVALID_OPTION')) return error.message;
    throw error;
  }
  throw new Error('expected REBIND_INVALID_OPTION');
};

describe('startContainer options', () => {
  it.each([
    [{ image: 'x', port: [80] }, 'Unknown option `port` of startContainer. Did you mean `ports`?'],
    [
      { image: 'x', ports: [{ container: 80, hots: 8080 }] },
      'Unknown option `ports[0].hots` of startContainer. Did you mean `ports[0].host`?',
    ],
    [
      { image: 'x', ports: [{ container: 80, host: 'any' }] },
      "Expected the `ports[0].host` option to be an integer from 1 to 65535, `'auto'` or `'random'`, got `any` (string).",
    ],
    [
      { image: 'x', ports: [70000] },
      'Expected the `ports[0]` option to be an integer from 1 to 65535, got `70000` (number).',
    ],
    [
      { image: 'x', ready: 'healthy' },
      "Expected the `ready` option to be `'listening'`, `'healthcheck'`, `'started'`, `{ http, port?, status?, body? }` or `{ log }`, got `healthy` (string).",
    ],
    [
      { image: 'x', ready: { http: '/', stauts: 200 } },
      'Unknown option `ready.stauts` of startContainer. Did you mean `ready.status`?',
    ],
    [{ image: '' }, 'Expected the `image` option to be a non-empty string, got `` (string).'],
    [
      { image: 'x', onPortConflict: 'kill' },
      "Expected the `onPortConflict` option to be 'fail', 'remap' or 'wait', got `kill` (string).",
    ],
  ])('refuses %o', async (options, message) => {
    expect(await rejected(startContainer(options as never))).toBe(message);
  });

  it('names the path of a declaration', () => {
    expect(() =>
      validateContainerOptions({ image: 'x', port: [80] }, 'services.db.container'),
    ).toThrow(
      'Unknown option `services.db.container.port` of startContainer. Did you mean `services.db.container.ports`?',
    );
  });
});

describe('startCompose options', () => {
  it.each([
    [{ file: ['a.yml'] }, 'Unknown option `file` of startCompose. Did you mean `files`?'],
    [
      { files: [] },
      'Expected the `files` option to be a non-empty array of compose file paths, got `[]` (array).',
    ],
    [
      { files: ['a.yml'], onPortConflict: 'wait' },
      "Expected the `onPortConflict` option to be 'fail' or 'remap', got `wait` (string).",
    ],
  ])('refuses %o', async (options, message) => {
    expect(await rejected(startCompose(options as never))).toBe(message);
  });

  it('names the path of a declaration', () => {
    expect(() =>
      validateComposeOptions({ files: ['a.yml'], projectname: 'x' }, 'services.stack.compose'),
    ).toThrow(
      'Unknown option `services.stack.compose.projectname` of startCompose. Did you mean `services.stack.compose.projectName`?',
    );
  });
});
