// Issue 11's done-when tests: nginx, a container, a compose project and a command are the
// same thing to the code above them. One handle shape (checked at the type level and at
// run time) and one restart path: each kind is restarted through the same
// RestartableHandle.restart() (core's one Restarter) and comes back pristine.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, expectTypeOf, it, vi } from 'vitest';
import { isRunning, startProcess, type ServiceHandle, type StartedProcess } from '@rebind/core';
import { RestartableHandle } from '@rebind/core/internal';
import {
  startCompose,
  startContainer,
  type StartedCompose,
  type StartedContainer,
} from '@rebind/docker';
import { startNginx, type StartedNginx } from '@rebind/nginx';
import { requireComponent } from '@rebind/test-support';
import { leftovers, removeLeftovers, testLabel, testLabels, text } from './support.js';

const server = `require('node:http')
  .createServer((_, res) => res.end(process.env.REBIND_TOKEN + ' ' + process.pid))
  .listen(Number(process.env.PORT), process.env.HOST)`;

describe('one handle shape (types)', () => {
  it('every kind is a ServiceHandle, with the shared members typed alike', () => {
    expectTypeOf<StartedNginx>().toMatchTypeOf<ServiceHandle>();
    expectTypeOf<StartedContainer>().toMatchTypeOf<ServiceHandle>();
    expectTypeOf<StartedCompose>().toMatchTypeOf<ServiceHandle>();
    expectTypeOf<StartedProcess>().toMatchTypeOf<ServiceHandle>();
    type Shared<H extends ServiceHandle> = Pick<H, 'host' | 'port' | 'ports' | 'url'> & {
      restart: ReturnType<H['restart']>;
      stop: ReturnType<H['stop']>;
    };
    type Expected = Shared<ServiceHandle>;
    expectTypeOf<Shared<StartedNginx>>().toEqualTypeOf<Expected>();
    expectTypeOf<Shared<StartedContainer>>().toEqualTypeOf<Expected>();
    expectTypeOf<Shared<StartedCompose>>().toEqualTypeOf<Expected>();
    expectTypeOf<Shared<StartedProcess>>().toEqualTypeOf<Expected>();
    expectTypeOf<Expected['port']>().toEqualTypeOf<number>();
    expectTypeOf<Expected['url']>().toEqualTypeOf<string>();
    // What is specific to a kind is added, never renamed.
    expectTypeOf<StartedNginx['errorLog']>().returns.toEqualTypeOf<Promise<string>>();
    expectTypeOf<StartedContainer['logs']>().returns.toEqualTypeOf<Promise<string>>();
    expectTypeOf<StartedContainer['portOf']>().parameters.toEqualTypeOf<[number?]>();
    expectTypeOf<StartedCompose['portOf']>().parameters.toEqualTypeOf<[string, number]>();
  });
});

describe.runIf(requireComponent('nginx', 'docker', 'docker-compose'))('one service model', () => {
  let dir = '';
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'rebind-it-model-'));
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
    expect(removeLeftovers()).toBe(0);
  });

  async function startAll(): Promise<Record<string, ServiceHandle>> {
    const file = join(dir, 'compose.yml');
    writeFileSync(
      file,
      [
        'services:',
        '  web:',
        '    image: rebind/nginx:test',
        '    labels:',
        `      ${testLabel}: "${testLabels[testLabel]}"`,
        '    ports:',
        '      - "80"',
        '',
      ].join('\n'),
    );
    const handles: Record<string, ServiceHandle> = {};
    try {
      handles.nginx = await startNginx({
        snippet: 'server { listen 80; location / { return 200 "nginx $pid"; } }',
      });
      handles.container = await startContainer({
        image: 'rebind/nginx:test',
        labels: testLabels,
        ports: [{ container: 80, host: 'auto' }],
      });
      handles.compose = await startCompose({
        files: [file],
        endpoint: { service: 'web', port: 80 },
      });
      handles.command = await startProcess({
        command: process.execPath,
        args: ['-e', server],
        port: 'auto',
      });
      return handles;
    } catch (error) {
      await Promise.all(Object.values(handles).map((h) => h.stop()));
      throw error;
    }
  }

  it('has the shared members on all four kinds, at run time', async () => {
    const handles = await startAll();
    try {
      for (const [kind, h] of Object.entries(handles)) {
        expect(h, kind).toBeInstanceOf(RestartableHandle);
        expect(typeof h.host, kind).toBe('string');
        expect(h.port, kind).toBeGreaterThan(0);
        expect(Object.values(h.ports), kind).toContain(h.port);
        expect(h.url, kind).toBe(`http://${h.host}:${h.port}/`);
        expect(h.token, kind).toMatch(/^\S{8,}$/);
        if (kind === 'nginx' || kind === 'command') expect(isRunning(h.pid!), kind).toBe(true);
        else expect(h.pid, kind).toBeUndefined();
        for (const verb of ['restart', 'stop', Symbol.asyncDispose] as const)
          expect(typeof h[verb], `${kind} ${String(verb)}`).toBe('function');
      }
    } finally {
      await Promise.all(Object.values(handles).map((h) => h.stop()));
    }
    for (const h of Object.values(handles)) await h.stop(); // idempotent
    expect(leftovers()).toEqual([]);
  });

  it('restarts nginx, a container, a compose project and a command through the same path: each comes back pristine', async () => {
    const handles = await startAll();
    // The same code path for every kind: RestartableHandle.restart(), core's one Restarter.
    const restart = vi.spyOn(RestartableHandle.prototype, 'restart');
    try {
      for (const [kind, h] of Object.entries(handles)) {
        const before = { token: h.token, answer: await text(h.url), pid: h.pid };
        const containers = leftovers();
        restart.mockClear();
        await h.restart();
        expect(restart.mock.contexts.length, kind).toBe(1);
        expect(restart.mock.contexts[0] === h, kind).toBe(true);
        const answer = await text(h.url);
        expect(h.token, kind).not.toBe(before.token);
        expect(answer, kind).not.toBe(before.answer);
        if (kind === 'container') expect(answer).toBe(`rebind-nginx ${h.token}`);
        if (kind === 'command') expect(answer).toBe(`${h.token} ${h.pid}`);
        // The old instance is gone: its process, or its containers.
        if (before.pid !== undefined) expect(isRunning(before.pid), kind).toBe(false);
        const now = leftovers();
        if (kind === 'container' || kind === 'compose')
          expect(containers.filter((id) => now.includes(id)).length, kind).toBe(
            containers.length - 1,
          );
        else expect(now.sort(), kind).toEqual(containers.sort());
      }
    } finally {
      restart.mockRestore();
      await Promise.all(Object.values(handles).map((h) => h.stop()));
    }
    expect(leftovers()).toEqual([]);
  });
});
