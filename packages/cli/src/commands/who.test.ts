import { readFileSync } from 'node:fs';
import net from 'node:net';
import { describe, expect, it } from 'vitest';
import type { PortReport } from '@rebind/core';
import { capture } from '../../test/capture-io.js';
import { main } from '../main.js';

describe('rebind who / wait', () => {
  it('wait --pid of a process that does not exist fails at once', async () => {
    // a pid above the kernel's pid_max is never running
    const pidMax = Number(readFileSync('/proc/sys/kernel/pid_max', 'utf8'));
    const c = capture();
    expect(
      await main(
        ['wait', '8080', '--listening', '--pid', String(pidMax + 1), '--timeout', '600000'],
        c.io,
      ),
    ).toBe(1);
    expect(c.out.stderr).toBe(
      `rebind wait: pid ${pidMax + 1} is not running, so no listener of it can appear on port 8080. Start the server first and pass its pid (in a shell: \`./server & rebind wait 8080 --listening --pid $!\`).\n`,
    );
  });

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
      // shell commands for people, not API calls
      expect(timeout.out.stderr).toContain(`(\`rebind wait ${port} --free\`)`);
      expect(t.out.stdout).toContain(
        `stop it and wait for the port (\`rebind wait ${port} --free\`)`,
      );
      for (const text of [t.out.stdout, timeout.out.stderr])
        expect(text).not.toMatch(/waitForPort|port: 'auto'/);
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
      'rebind wait: missing --free or --listening.\nUsage: rebind wait <port> --free|--listening [--pid N] [--timeout ms] [--host <address>]\n',
    );
    const noPort = capture();
    expect(await main(['who'], noPort.io)).toBe(2);
    expect(noPort.out.stderr).toBe(
      'rebind who: missing the <port> argument.\nUsage: rebind who <port> [--json] [--host <address>]\n',
    );
    const noWaitPort = capture();
    expect(await main(['wait', '--free'], noWaitPort.io)).toBe(2);
    expect(noWaitPort.out.stderr).toMatch(
      /^rebind wait: missing the <port> argument\.\nUsage: rebind wait <port>/,
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
