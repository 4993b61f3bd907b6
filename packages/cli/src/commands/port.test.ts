import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { capture } from '../../test/capture-io.js';
import { main } from '../main.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('rebind port', () => {
  it('prints distinct free ports as JSON and says they are not held', async () => {
    const c = capture();
    expect(await main(['port', '--count', '3', '--json'], c.io)).toBe(0);
    const ports = JSON.parse(c.out.stdout) as number[];
    expect(ports).toHaveLength(3);
    expect(new Set(ports).size).toBe(3);
    for (const port of ports) expect(port).toBeGreaterThanOrEqual(1024);
    expect(c.out.stderr).toBe(
      'rebind port: these ports are not held once this command exits; another process may take them. To hold ports, run `rebind port --hold -- <command ...>`.\n',
    );
  });

  it('--hold runs the command with PORT and PORT_n set, holding the ports, and returns its code', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rebind-port-'));
    dirs.push(dir);
    const out = join(dir, 'env.json');
    // The child tries to take the lease's lock itself: it must find it held.
    const script = `
      const dgram = require('node:dgram');
      const socket = dgram.createSocket('udp4');
      const report = (lock) => {
        const { PORT, PORT_1, PORT_2 } = process.env;
        require('node:fs').writeFileSync(${JSON.stringify(out)}, JSON.stringify({ PORT, PORT_1, PORT_2, lock }));
        process.exit(3);
      };
      socket.on('error', (e) => report(e.code));
      socket.bind({ port: Number(process.env.PORT), address: '127.0.0.1' }, () => report('bound'));
    `;
    const c = capture();
    const code = await main(
      ['port', '--hold', '--count', '2', '--', process.execPath, '-e', script],
      c.io,
    );
    expect(code).toBe(3);
    const env = JSON.parse(readFileSync(out, 'utf8')) as Record<string, string>;
    expect(env.lock).toBe('EADDRINUSE');
    expect(env.PORT).toBe(env.PORT_1);
    expect(Number(env.PORT_2)).toBeGreaterThan(0);
    expect(env.PORT_2).not.toBe(env.PORT_1);
  });

  it('rejects bad input', async () => {
    const count = capture();
    expect(await main(['port', '--count', '0'], count.io)).toBe(2);
    expect(count.out.stderr).toBe(
      'rebind port: Expected the `count` option to be an integer >= 1, got `0` (string).\n',
    );
    const hold = capture();
    expect(await main(['port', '--hold'], hold.io)).toBe(2);
    const holdUsage =
      'Usage: rebind port --hold [--count N] [--host <address>] [--range <low>-<high>] -- <command ...>\n';
    expect(hold.out.stderr).toBe(
      `rebind port: --hold needs the command to run, after \`--\`.\n${holdUsage}`,
    );
    const separator = capture();
    expect(await main(['port', '--hold', '--count', '2', 'node', '-e', '1'], separator.io)).toBe(2);
    expect(separator.out.stderr).toBe(
      `rebind port: --hold runs the command given after \`--\`. Run: rebind port --hold --count 2 -- node -e 1\n${holdUsage}`,
    );
    const range = capture();
    expect(await main(['port', '--range', '20000-10000'], range.io)).toBe(2);
    expect(range.out.stderr).toBe(
      'rebind port: Expected the `range` option to be a `[low, high]` pair of integers from 1 to 65535 with low <= high, got `[20000,10000]` (array).\n',
    );
  });

  it('--hold forwards SIGTERM to the command and exits with its code', async () => {
    const bin = fileURLToPath(new URL('../../dist/bin.js', import.meta.url));
    if (!existsSync(bin)) throw new Error('Build @rebind/cli first: npm run build -w @rebind/cli');
    const script =
      "process.on('SIGTERM', () => process.exit(42)); console.log('ready', process.env.PORT); setInterval(() => {}, 1000);";
    const cli = spawn(
      process.execPath,
      [bin, 'port', '--hold', '--', process.execPath, '-e', script],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    try {
      const [line] = (await once(createInterface({ input: cli.stdout }), 'line')) as [string];
      expect(line).toMatch(/^ready \d+$/);
      const exited = once(cli, 'exit');
      cli.kill('SIGTERM');
      expect(await exited).toEqual([42, null]);
    } finally {
      if (cli.exitCode === null && cli.signalCode === null) {
        cli.kill('SIGKILL');
        await once(cli, 'exit');
      }
    }
  });
});
