import net from 'node:net';
import { describe, expect, it } from 'vitest';
import type { PortReport } from '@rebind/core';
import { capture } from '../../test/capture-io.js';
import { main } from '../main.js';

describe('rebind who / wait', () => {
  it('who --json prints the PortReport of a listener in this process', async () => {
    const server = net.createServer((s) => s.on('error', () => {}));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as net.AddressInfo;
    try {
      const c = capture();
      expect(await main(['who', String(port), '--json'], c.io)).toBe(0);
      const report = JSON.parse(c.out.stdout) as PortReport;
      expect(report.verdict).toBe('listening');
      expect(report.sockets[0]).toMatchObject({ state: 'LISTEN', pid: process.pid });
      const t = capture();
      expect(await main(['who', String(port)], t.io)).toBe(0);
      expect(t.out.stdout).toMatch(/^STATE\s+LOCAL\s+REMOTE\s+PID\s+UID\nLISTEN\s+127\.0\.0\.1:/);
      expect(t.out.stdout).toContain('verdict: listening');
      const w = capture();
      expect(
        await main(['wait', String(port), '--listening', '--pid', String(process.pid)], w.io),
      ).toBe(0);
      const timeout = capture();
      expect(await main(['wait', String(port), '--free', '--timeout', '20'], timeout.io)).toBe(1);
      expect(timeout.out.stderr).toMatch(
        new RegExp(
          `^rebind wait: Port ${port} was not free after 20 ms\\. Port ${port} is in use: pid ${process.pid} `,
        ),
      );
    } finally {
      await new Promise((r) => server.close(r));
    }
  });

  it('rejects bad arguments with exit code 2', async () => {
    const c = capture();
    expect(await main(['who', '70000'], c.io)).toBe(2);
    expect(c.out.stderr).toBe(
      'rebind who: Expected the `port` option to be an integer from 1 to 65535, got `70000` (string).\n',
    );
    const w = capture();
    expect(await main(['wait', '8080'], w.io)).toBe(2);
    expect(w.out.stderr).toBe(
      'rebind wait: Expected the `until` option to be --free or --listening, got `undefined` (undefined).\n',
    );
    const unknown = capture();
    expect(await main(['who', '--jsn', '8080'], unknown.io)).toBe(2);
    expect(unknown.out.stderr).toBe(
      'rebind who: Expected the `who` option to be one of --json, --host, got `--jsn` (string).\n',
    );
    const missing = capture();
    expect(await main(['wait', '8080', '--listening', '--pid'], missing.io)).toBe(2);
    expect(missing.out.stderr).toBe(
      'rebind wait: Expected the `pid` option to be followed by a value, got `undefined` (undefined).\n',
    );
    const h = capture();
    expect(await main(['wait', '--help'], h.io)).toBe(0);
    expect(h.out.stdout).toContain('Usage: rebind wait <port> --free|--listening');
  });
});
