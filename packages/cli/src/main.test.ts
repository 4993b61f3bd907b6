import { describe, expect, it } from 'vitest';
import { capture } from '../test/capture-io.js';
import { main } from './main.js';

describe('rebind', () => {
  it('prints usage on --help and exits 0', async () => {
    const c = capture();
    expect(await main(['--help'], c.io)).toBe(0);
    expect(c.out.stdout).toContain('Usage: rebind <command> [options]');
  });

  it('names an unknown command and exits 2', async () => {
    const c = capture();
    expect(await main(['frobnicate'], c.io)).toBe(2);
    expect(c.out.stderr).toContain('rebind: unknown command `frobnicate`.');
  });
});

describe('rebind --help', () => {
  it('lists every command with its summary', async () => {
    let out = '';
    const io = { stdout: { write: (t: string) => (out += t) }, stderr: { write: () => true } };
    expect(await main(['--help'], io)).toBe(0);
    expect(out).toMatch(/^ {2}port {5}print free ports, or hold them while a command runs$/m);
    expect(out).toMatch(/^ {2}wait {5}wait until a port is free or listening$/m);
    expect(out).toMatch(
      /^ {2}who {6}who holds a port, in what state, and why a server cannot bind it$/m,
    );
    expect(out).toMatch(
      /^ {2}explain {2}explain every bind failure of a message or log: port, cause, live holder, fix$/m,
    );
    expect(out).toMatch(
      /^ {2}run {6}run a server command; explain any bind failure in its output, live$/m,
    );
  });
});
