import { describe, expect, it } from 'vitest';
import { RebindError, isRebindError } from '@rebind/core';
import {
  asEngineError,
  containerFailed,
  engineFailure,
  imageNotFound,
  portConflictIn,
} from './engine-error.js';
import { demuxLogs } from './container-logs.js';

// Recorded from Docker 20.10 (dockerode errors: statusCode, json, and a misleading reason).
const allocated = Object.assign(new Error('(HTTP code 500) server error - driver failed ...'), {
  statusCode: 500,
  reason: 'server error',
  json: {
    message:
      'driver failed programming external connectivity on endpoint exp-b (303ecf8d7a5b): Bind for 127.0.0.1:39123 failed: port is already allocated',
  },
});
const proxy =
  'driver failed programming external connectivity on endpoint exp-b (98bc0f1fde9f): Error starting userland proxy: listen tcp4 127.0.0.1:39123: bind: address already in use';

describe('engine refusals', () => {
  it('reads the status code and the engine message, not dockerode reason', () => {
    expect(engineFailure(allocated)).toEqual({
      statusCode: 500,
      message: allocated.json.message,
    });
    expect(engineFailure(new Error('connect ENOENT'))).toEqual({
      statusCode: undefined,
      message: 'connect ENOENT',
    });
  });

  it('recognises both port conflicts', () => {
    expect(portConflictIn(allocated.json.message)).toEqual({
      kind: 'allocated',
      text: 'Bind for 127.0.0.1:39123 failed: port is already allocated',
    });
    expect(portConflictIn(proxy)).toEqual({
      kind: 'address-in-use',
      text: 'Error starting userland proxy: listen tcp4 127.0.0.1:39123: bind: address already in use',
    });
    expect(portConflictIn('No such image: x')).toBeUndefined();
  });

  it('builds REBIND_IMAGE_NOT_FOUND and REBIND_CONTAINER_FAILED messages', () => {
    const missing = imageNotFound('rebind/nginx:test', 'unix:///var/run/docker.sock', undefined);
    expect(isRebindError(missing, 'REBIND_IMAGE_NOT_FOUND')).toBe(true);
    expect(missing.message).toBe(
      'The image rebind/nginx:test is not on the Docker engine at unix:///var/run/docker.sock. Build it first: bash docker/build-images.sh (rebind never pulls).',
    );
    const failed = containerFailed('start container web', {
      statusCode: 400,
      json: { message: 'bad mount' },
    });
    expect(failed.message).toBe(
      'The Docker engine refused to start container web (HTTP 400): bad mount',
    );
  });

  it('demultiplexes log frames', () => {
    const frame = (stream: number, text: string) => {
      const body = Buffer.from(text);
      const head = Buffer.alloc(8);
      head[0] = stream;
      head.writeUInt32BE(body.length, 4);
      return Buffer.concat([head, body]);
    };
    expect(demuxLogs(Buffer.concat([frame(1, 'out\n'), frame(2, 'err\n')]))).toBe('out\nerr\n');
    expect(demuxLogs(Buffer.from('plain tty text\n'))).toBe('plain tty text\n');
  });
});

describe('asEngineError', () => {
  const down = {
    docker: { ping: () => Promise.reject(new Error('connect ENOENT')) },
    endpoint: 'unix:///x.sock',
  };
  const up = { docker: { ping: () => Promise.resolve('OK') }, endpoint: 'unix:///x.sock' };

  it('reads a connection error, here or in a cause, as REBIND_DOCKER_UNAVAILABLE', async () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED /x.sock'), {
      code: 'ECONNREFUSED',
    });
    const wrapped = new RebindError('REBIND_CONTAINER_FAILED', 'refused', { cause: refused });
    for (const error of [refused, wrapped]) {
      const mapped = await asEngineError(error, up, 'remove container c1');
      expect(isRebindError(mapped, 'REBIND_DOCKER_UNAVAILABLE')).toBe(true);
      expect((mapped as Error).message).toBe(
        'The Docker engine at unix:///x.sock stopped answering while rebind tried to remove container c1 (connect ECONNREFUSED /x.sock). Start it again (as root: bash docker/start-engine.sh, or dockerd &), or point DOCKER_HOST at a running engine; the next restart tries again.',
      );
    }
  });

  it('reads a 5xx as REBIND_DOCKER_UNAVAILABLE only when the engine no longer answers a ping', async () => {
    const shuttingDown = Object.assign(new Error('(HTTP code 500) server error'), {
      statusCode: 500,
      json: { message: 'failed to update store' },
    });
    expect(
      isRebindError(
        await asEngineError(shuttingDown, down, 'start container c2'),
        'REBIND_DOCKER_UNAVAILABLE',
      ),
    ).toBe(true);
    expect(await asEngineError(shuttingDown, up, 'start container c2')).toBe(shuttingDown);
    const missing = Object.assign(new Error('no such image'), { statusCode: 404 });
    expect(await asEngineError(missing, down, 'start container c2')).toBe(missing);
  });
});
