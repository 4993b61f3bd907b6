import { readFileSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { childrenOf, flagValue } from './containerd-socket.js';

describe('flagValue', () => {
  it('reads --name=value and --name value', () => {
    const argv = ['dockerd', '--exec-root=/run/x', '--containerd', '/run/c.sock'];
    expect(flagValue(argv, ['--exec-root'])).toBe('/run/x');
    expect(flagValue(argv, ['--containerd'])).toBe('/run/c.sock');
    expect(flagValue(argv, ['--data-root'])).toBeUndefined();
  });
});

// dockerd is a Go program: it forks its containerd from whichever thread runs the call,
// and /proc/<pid>/task/<pid>/children lists only the main thread's children. A child
// forked from a worker thread here stands for it.
describe.runIf(process.platform === 'linux')('childrenOf', () => {
  it('finds a child forked by another thread than the main one', async () => {
    const worker = new Worker(
      `const { spawn } = require('node:child_process');
       const { parentPort } = require('node:worker_threads');
       const child = spawn('sleep', ['30'], { stdio: 'ignore' });
       parentPort.postMessage(child.pid);
       parentPort.once('message', () => { child.kill('SIGKILL'); child.once('exit', () => process.exit(0)); });`,
      { eval: true },
    );
    try {
      const pid = await new Promise<number>((resolve) => worker.once('message', resolve));
      const self = String(process.pid);
      const mainOnly = readFileSync(`/proc/${self}/task/${self}/children`, 'utf8').split(/\s+/);
      expect(mainOnly).not.toContain(String(pid));
      expect(await childrenOf(self)).toContain(String(pid));
    } finally {
      worker.postMessage('stop');
      await new Promise((resolve) => worker.once('exit', resolve));
    }
  });
});
