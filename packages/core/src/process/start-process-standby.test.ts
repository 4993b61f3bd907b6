import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { isRunning } from '../proc/process-tree.js';
import { startProcess, type StartedProcess } from './start-process.js';
import { rejection } from '../../test/helpers.js';

const server = fileURLToPath(new URL('../../fixtures/counting-server.js', import.meta.url));
const started: StartedProcess[] = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map((p) => p.stop({ signal: 'SIGKILL' })));
});

describe('startProcess with a standby', () => {
  it('swaps in a pristine instance on its own port at each restart', async () => {
    const proc = await startProcess({
      command: process.execPath,
      args: [server],
      port: 'auto',
      standby: true,
    });
    started.push(proc);
    const seen: { pid: number; port: number; token: string }[] = [];
    for (let i = 0; i < 5; i++) {
      // No request reached this instance before now: its output has no request line.
      expect(proc.output()).not.toContain('request');
      const answer = await (await fetch(proc.url)).text();
      expect(answer).toBe(`${proc.pid} ${proc.token}`);
      await vi.waitFor(() =>
        expect(proc.output()).toContain(`request ${proc.pid} /
`),
      );
      expect(seen.map((s) => s.pid)).not.toContain(proc.pid);
      expect(proc.port).not.toBe(seen.at(-1)?.port); // the standby had its own port
      expect(seen.map((s) => s.token)).not.toContain(proc.token);
      seen.push({ pid: proc.pid, port: proc.port, token: proc.token });
      await proc.restart();
    }
    const last = proc.pid;
    await proc.stop();
    // The current instance, its standby and every replaced one are gone.
    for (const { pid } of seen) expect(isRunning(pid)).toBe(false);
    expect(isRunning(last)).toBe(false);
    expect(proc.output()).toContain(`listening ${last}`);
  });

  it('is refused with a fixed port or without a port, naming the fix', async () => {
    expect(
      (await rejection(startProcess({ command: 'true', port: 8080, standby: true }))).message,
    ).toBe(
      "The `standby` option of startProcess needs `port: 'auto'`, got `port: 8080`: the standby waits on its own port while the current instance serves, and two instances cannot both own a fixed port. Use `port: 'auto'` (the command reads its port from `PORT` or `{port}`), or drop `standby`.",
    );
    expect((await rejection(startProcess({ command: 'true', standby: true }))).message).toBe(
      "The `standby` option of startProcess needs `port: 'auto'`, got no `port`: the standby waits on its own port while the current instance serves. Use `port: 'auto'` (the command reads its port from `PORT` or `{port}`), or drop `standby`.",
    );
  });
});
