import { describe, expect, it } from 'vitest';
import { closestKey, editDistance } from './closest-key.js';
import { boolean, nonEmptyString, oneOf, port, required } from './rules.js';
import { arrayOf, objectOf, validateOptions } from './validate-options.js';
import { isRebindError } from '../errors.js';
import { startProcess } from '../process/start-process.js';
import { allocatePort, allocatePorts } from '../allocate/allocate-port.js';
import { waitForPort } from '../watch/wait-for-port.js';
import { inspectPort } from '../watch/inspect-port.js';
import { diagnoseBindFailure } from '../watch/diagnose-bind-failure.js';

const schema = {
  name: required(nonEmptyString()),
  restartStrategy: oneOf(['wait', 'reload']),
  port,
  ports: arrayOf(port, 'an array of ports'),
  stop: objectOf({ timeout: port, force: boolean }),
};
const at = { path: '', owner: 'startThing' };
const messageOf = (run: () => unknown): string => {
  try {
    run();
  } catch (error) {
    if (!isRebindError(error, 'REBIND_INVALID_OPTION')) throw error;
    return error.message;
  }
  throw new Error('expected REBIND_INVALID_OPTION');
};

describe('closestKey', () => {
  it('measures swaps, case and single edits as one step or none', () => {
    expect(editDistance('restartStrategi', 'restartStrategy')).toBe(1);
    expect(editDistance('pristien', 'pristine')).toBe(1);
    expect(editDistance('readytimeout', 'readyTimeout')).toBe(0);
    expect(editDistance('', 'abc')).toBe(3);
  });

  it('suggests only keys close enough to be a typo', () => {
    expect(closestKey('port', ['image', 'ports', 'name'])).toBe('ports');
    expect(closestKey('pristene', ['nginx', 'pristine', 'rerun'])).toBe('pristine');
    expect(closestKey('colour', ['image', 'ports', 'name'])).toBeUndefined();
  });
});

describe('validateOptions', () => {
  it('accepts known keys, and undefined values as absent', () => {
    expect(() =>
      validateOptions(
        { name: 'x', port: 80, ports: [1, 2], stop: {}, restartStrategy: undefined },
        schema,
        at,
      ),
    ).not.toThrow();
  });

  it.each([
    [
      { name: 'x', restartStrategi: 'wait' },
      'Unknown option `restartStrategi` of startThing. Did you mean `restartStrategy`?',
    ],
    [
      { name: 'x', colour: 'red' },
      'Unknown option `colour` of startThing. Known options: `name`, `restartStrategy`, `port`, `ports`, `stop`.',
    ],
    [
      { name: 'x', stop: { timout: 1 } },
      'Unknown option `stop.timout` of startThing. Did you mean `stop.timeout`?',
    ],
    [{}, 'Expected the `name` option to be a non-empty string, got `undefined` (undefined).'],
    [
      { name: 'x', restartStrategy: 'fresh' },
      "Expected the `restartStrategy` option to be `'wait'` or `'reload'`, got `fresh` (string).",
    ],
    [
      { name: 'x', ports: [80, 70000] },
      'Expected the `ports[1]` option to be an integer from 1 to 65535, got `70000` (number).',
    ],
    [{ name: 'x', stop: [] }, 'Expected the `stop` option to be an object, got `[]` (array).'],
    ['x', 'Expected the `options` option to be an object, got `x` (string).'],
  ])('refuses %o', (value, message) => {
    expect(messageOf(() => validateOptions(value, schema, at))).toBe(message);
  });

  it('names the whole path of options nested in a declaration, and keeps the suggestion', () => {
    const error = (() => {
      try {
        validateOptions({ name: 'x', restartStrategi: 'wait' }, schema, {
          path: 'services.web.nginx',
          owner: 'startNginx',
        });
      } catch (caught) {
        return caught;
      }
    })();
    expect(isRebindError(error, 'REBIND_INVALID_OPTION')).toBe(true);
    expect((error as Error).message).toBe(
      'Unknown option `services.web.nginx.restartStrategi` of startNginx. Did you mean `services.web.nginx.restartStrategy`?',
    );
    expect((error as { details: unknown }).details).toEqual({
      option: 'services.web.nginx.restartStrategi',
      owner: 'startNginx',
      suggestion: 'services.web.nginx.restartStrategy',
    });
  });
});

describe("core's public functions refuse unknown options", () => {
  const rejected = async (promise: Promise<unknown>): Promise<string> => {
    try {
      await promise;
    } catch (error) {
      if (isRebindError(error, 'REBIND_INVALID_OPTION')) return error.message;
      throw error;
    }
    throw new Error('expected REBIND_INVALID_OPTION');
  };

  it.each([
    [
      'startProcess',
      () => startProcess({ command: 'node', readyTimout: 10 } as never),
      'Unknown option `readyTimout` of startProcess. Did you mean `readyTimeout`?',
    ],
    [
      'startProcess ready',
      () => startProcess({ command: 'node', ready: { tcp: 80, stauts: 200 } } as never),
      'Unknown option `ready.stauts` of startProcess. Known options: `tcp`.',
    ],
    [
      'startProcess stop',
      () => startProcess({ command: 'node', stop: { timeOut: 10 } } as never),
      'Unknown option `stop.timeOut` of startProcess. Did you mean `stop.timeout`?',
    ],
    [
      'allocatePort',
      () => allocatePort({ hots: ['127.0.0.1'] } as never),
      'Unknown option `hots` of allocatePort. Did you mean `host`?',
    ],
    [
      'allocatePorts',
      () => allocatePorts(2, { acceptTimewait: true } as never),
      'Unknown option `acceptTimewait` of allocatePorts. Did you mean `acceptTimeWait`?',
    ],
    [
      'waitForPort',
      () => waitForPort(8080, { until: 'free', timout: 5 } as never),
      'Unknown option `timout` of waitForPort. Did you mean `timeout`?',
    ],
    [
      'inspectPort',
      () => inspectPort(8080, { owner: false } as never),
      'Unknown option `owner` of inspectPort. Did you mean `owners`?',
    ],
    [
      'diagnoseBindFailure',
      () => diagnoseBindFailure({ port: 8080, reuseaddr: true } as never),
      'Unknown option `reuseaddr` of diagnoseBindFailure. Did you mean `reuseAddr`?',
    ],
    [
      'diagnoseBindFailure types',
      () => diagnoseBindFailure({ port: 8080, ownPids: [0] }),
      'Expected the `ownPids` option to be an array of pids, got `[0]` (array).',
    ],
  ])('%s', async (_name, call, message) => {
    expect(await rejected(call())).toBe(message);
  });
});
