import { describe, expect, it } from 'vitest';
import { resolveServices } from './declaration.js';
import { validateServices } from './validate-services.js';

const command = { command: 'node', args: ['server.js'] };

describe('resolveServices', () => {
  it('applies the defaults: per-test, restart on rerun', () => {
    expect(resolveServices({ services: { web: { command } } })).toEqual([
      {
        name: 'web',
        kind: 'command',
        options: command,
        pristine: 'per-test',
        rerun: 'restart',
        standby: false,
      },
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
      { services: { web: { command, standby: 'yes' } } },
      'Expected the `services.web.standby` option to be a boolean, got `yes` (string).',
    ],
    [
      { services: { 'a b': { command } } },
      'Expected the `services` option to be keyed by names of letters, digits, `_`, `.` or `-`, got `a b` (string).',
    ],
    [
      { services: { web: { command, pristene: 'shared' } } },
      'Unknown option `services.web.pristene` of rebind(). Did you mean `services.web.pristine`?',
    ],
    [
      { servics: { web: { command } } },
      'Unknown option `servics` of rebind(). Did you mean `services`?',
    ],
    [
      { services: { web: { command: { command: 'node', readypath: '/' } } } },
      'Unknown option `services.web.command.readypath` of rebind(). Did you mean `services.web.command.readyPath`?',
    ],
    [
      { services: { web: { compose: { files: ['a.yml'], endpoint: { service: 'web' } } } } },
      'Expected the `services.web.compose.endpoint.port` option to be an integer from 1 to 65535, got `undefined` (undefined).',
    ],
    [
      { services: { web: { compose: { files: ['a.yml'] } } } },
      "Expected the `services.web.compose.endpoint` option to be the service and container port tests reach, e.g. `{ service: 'web', port: 80 }`, got `undefined` (undefined).",
    ],
  ])('rejects %o', (options, message) => {
    expect(() => resolveServices(options)).toThrow(message);
  });

  it('names the owner it is given (Jest reads the options from its project config)', () => {
    expect(() =>
      resolveServices(
        { services: { web: { command } }, sumary: true },
        'testEnvironmentOptions.rebind',
      ),
    ).toThrow('Unknown option `sumary` of testEnvironmentOptions.rebind. Did you mean `summary`?');
  });
});

describe('validateServices', () => {
  it.each([
    [
      { services: { web: { nginx: { snippet: 'return 200;', restartStrategi: 'reload' } } } },
      'Unknown option `services.web.nginx.restartStrategi` of startNginx. Did you mean `services.web.nginx.restartStrategy`?',
    ],
    [
      { services: { db: { container: { image: 'redis', port: [6379] } } } },
      'Unknown option `services.db.container.port` of startContainer. Did you mean `services.db.container.ports`?',
    ],
    [
      {
        services: {
          stack: {
            compose: {
              files: ['a.yml'],
              onPortConflict: 'wait',
              endpoint: { service: 'web', port: 80 },
            },
          },
        },
      },
      "Expected the `services.stack.compose.onPortConflict` option to be 'fail' or 'remap', got `wait` (string).",
    ],
    [
      { services: { web: { command, standby: true, pristine: 'shared' } } },
      "The `services.web.standby` option cannot be used with `pristine: 'shared'`: a shared instance is never restarted between tests, so its standby would never be swapped in. Use `pristine: 'per-test'` (the default), or drop `standby`.",
    ],
    [
      {
        services: { web: { nginx: { snippet: 'return 200;', standby: true }, pristine: 'shared' } },
      },
      "The `services.web.standby` option cannot be used with `pristine: 'shared'`: a shared instance is never restarted between tests, so its standby would never be swapped in. Use `pristine: 'per-test'` (the default), or drop `standby`.",
    ],
    [
      { services: { web: { nginx: { snippet: 'return 200;' }, standby: true } } },
      "The `services.web.standby` option needs `restartStrategy: 'fresh-port'`, got `restartStrategy: 'wait'`: the standby waits on another port while the current instance serves, and 'wait' keeps one port. Use `restartStrategy: 'fresh-port'`, or drop `standby`.",
    ],
    [
      {
        services: {
          web: {
            nginx: { snippet: 'return 200;', restartStrategy: 'fresh-port', port: 8080 },
            standby: true,
          },
        },
      },
      "The `services.web.standby` option cannot be used with a fixed port (`8080`): the standby and the current instance would both need it. Use `port: 'auto'` with `restartStrategy: 'fresh-port'`, or drop `standby`.",
    ],
    [
      {
        services: {
          db: {
            container: { image: 'redis', ports: [{ container: 6379, host: 6379 }] },
            standby: true,
          },
        },
      },
      "The `services.db.standby` option cannot be used with a fixed host port (`{ container: 6379, host: 6379 }`): the standby and the current container would both need it. Drop `name` and publish every port with `host: 'auto'` or `'random'` (the default), or drop `standby`.",
    ],
  ])('checks each declaration with its manager: %o', async (options, message) => {
    await expect(validateServices(options)).rejects.toThrow(message);
  });

  it('accepts a standby on nginx with fresh-port, a container on moving ports, compose and a command', async () => {
    const services = await validateServices({
      services: {
        web: { nginx: { snippet: 'return 200;', restartStrategy: 'fresh-port' }, standby: true },
        db: { container: { image: 'redis', ports: [6379] }, standby: true },
        stack: {
          compose: { files: ['a.yml'], endpoint: { service: 'web', port: 80 } },
          standby: true,
        },
        api: { command, standby: true },
      },
    });
    expect(services.map((s) => [s.name, s.standby])).toEqual([
      ['web', true],
      ['db', true],
      ['stack', true],
      ['api', true],
    ]);
  });

  it('resolves valid declarations with their defaults', async () => {
    const compose = { files: ['a.yml'], endpoint: { service: 'web', port: 80 } };
    expect(
      await validateServices({ services: { stack: { compose, pristine: 'shared' } } }),
    ).toEqual([
      {
        name: 'stack',
        kind: 'compose',
        options: compose,
        pristine: 'shared',
        rerun: 'restart',
        standby: false,
      },
    ]);
  });
});
