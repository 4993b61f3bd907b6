// A test's own server through the real host (a command service: no nginx needed here):
// bad input is refused with REBIND_INVALID_OPTION before anything starts.
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { isRebindError } from '@rebind/core';
import { askControl } from './client.js';
import { startServiceHost, type ServiceHost } from './service-host.js';
import { startTestServer, type ServiceKind, type TestServerContext } from './test-server.js';

const server = fileURLToPath(new URL('../fixtures/http-server.js', import.meta.url));
const command = { command: process.execPath, args: [server], readyPath: '/' };

let host: ServiceHost | undefined;
afterEach(async () => {
  await host?.stop();
  host = undefined;
});

const contextOf = (h: ServiceHost, active = true): TestServerContext => ({
  control: h.context.control,
  slot: 1,
  holder: 'The `service` fixture',
  active: () => active,
});

const refusal = async (promise: Promise<unknown>) => {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(isRebindError(error, 'REBIND_INVALID_OPTION'), String(error)).toBe(true);
  return (error as Error).message;
};

describe('startTestServer', () => {
  it('starts a test its own command service, a fresh one per call, and stops it with the host', async () => {
    host = await startServiceHost({});
    const first = await startTestServer(contextOf(host), 'command', command);
    const pid = first.pid;
    await first.restart();
    expect(first.pid).not.toBe(pid);
    expect((await fetch(first.url)).status).toBe(200);
    // Its logs are nginx's only: a command has none to read, nor has a slot without nginx.
    for (const log of ['error', 'access'] as const)
      expect(await refusal(askControl(host.context.control, `${log}-log`, 1))).toBe(
        `Worker slot 1 has no nginx: ask for one (the \`nginx\` fixture or helper) before reading its ${log} log.`,
      );
    expect(await refusal(first.errorLog())).toBe(
      'errorLog() is for nginx; this server is a command.',
    );
    expect(await refusal(first.accessLog())).toBe(
      'accessLog() is for nginx; this server is a command.',
    );
    const { leftovers } = await host.stop();
    host = undefined;
    expect(leftovers).toEqual([]);
  });

  it('refuses a use outside a test, an unknown kind, an unknown option and both config and snippet', async () => {
    host = await startServiceHost({});
    expect(await refusal(startTestServer(contextOf(host, false), 'command', command))).toMatch(
      /was used outside a test/,
    );
    expect(await refusal(startTestServer(contextOf(host), 'nginix' as ServiceKind, {}))).toMatch(
      /service kind to be one of 'nginx', 'container', 'compose', 'command', got `nginix`/,
    );
    expect(
      await refusal(startTestServer(contextOf(host), 'command', { ...command, readyPth: '/' })),
    ).toMatch(/Unknown option `readyPth`.*Did you mean `readyPath`\?/);
    expect(
      await refusal(
        startTestServer(contextOf(host), 'nginx', { config: 'events {}', snippet: 'return 200;' }),
      ),
    ).toMatch(/exactly one of them/);
    expect(host.stats().restarts).toBe(0);
  });
});
