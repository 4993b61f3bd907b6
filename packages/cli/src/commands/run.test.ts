import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { capture } from '../../test/capture-io.js';
import { main } from '../main.js';

describe('rebind run', () => {
  it('passes the output through and explains a bind failure while the holder listens', async () => {
    const holder = spawn(
      process.execPath,
      [
        '-e',
        "const s=require('net').createServer().listen(0,'127.0.0.1',()=>console.log('port',s.address().port))",
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    try {
      const port = await new Promise<number>((resolve) =>
        holder.stdout.once('data', (d: Buffer) =>
          resolve(Number(/port (\d+)/.exec(String(d))?.[1])),
        ),
      );
      const server = `console.log('starting on ${port}'); require('net').createServer().listen(${port}, '127.0.0.1')`;
      const c = capture();
      expect(await main(['run', '--', process.execPath, '-e', server], c.io)).toBe(1);
      expect(c.out.stdout).toBe(`starting on ${port}\n`);
      // Node's own error first, passed through, then rebind's explanation
      expect(c.out.stderr).toContain(
        `Error: listen EADDRINUSE: address already in use 127.0.0.1:${port}`,
      );
      const explanation = c.out.stderr.slice(c.out.stderr.indexOf('rebind run:'));
      expect(explanation.split('\n').slice(0, 3)).toEqual([
        `rebind run: a bind failure in the output of ${process.execPath}`,
        `line ${c.out.stderr.split('\n').findIndex((l) => l.startsWith('Error: listen')) + 1}: port ${port} on 127.0.0.1: in-use (EADDRINUSE)`,
        `  Error: listen EADDRINUSE: address already in use 127.0.0.1:${port}`,
      ]);
      expect(explanation).toContain(`  holder now: pid ${holder.pid} `);
      expect(explanation).toContain(
        `  fix: kill ${holder.pid}   # only if it is yours; then: rebind wait ${port} --free`,
      );
    } finally {
      holder.kill();
    }
  });

  it("returns the command's code, says nothing without a failure, rejects bad usage", async () => {
    const ok = capture();
    expect(
      await main(
        ['run', '--', process.execPath, '-e', 'console.log("hi"); process.exit(3)'],
        ok.io,
      ),
    ).toBe(3);
    expect(ok.out).toEqual({ stdout: 'hi\n', stderr: '' });
    const none = capture();
    expect(await main(['run'], none.io)).toBe(2);
    expect(none.out.stderr).toBe(
      'rebind run: Expected the `run` option to be followed by -- and a command, got `` (string).\n',
    );
    const missing = capture();
    expect(await main(['run', '--', 'rebind-no-such-command'], missing.io)).toBe(2);
    expect(missing.out.stderr).toBe(
      'rebind run: Expected the `command` option to be a command on PATH, got `rebind-no-such-command` (string).\n',
    );
  });
});
