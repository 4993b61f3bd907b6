// Privacy on a shared host, beside the nginx prefix (integration/nginx/test/privacy.test.ts):
// what rebind writes for a compose project (the generated file, which carries the user's
// environment values and remapped ports) and the runner's control channel, tried by
// another, unprivileged user (nobody). rebind creates no other temp dir: command services
// write nothing to disk, the runner only its control socket's private directory (beside
// loopback HTTP behind a per-run secret path).
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { startCompose } from '@rebind/docker';
import { startServiceHost, type ServiceHost } from '@rebind/runner';
import { requireComponent } from '@rebind/test-support';

const asRoot = process.getuid?.() === 0;

/** Runs `args` as the user nobody: its exit status and stderr. */
function asNobody(args: string[]): { status: number | null; stderr: string } {
  const result = spawnSync('runuser', ['-u', 'nobody', '--', ...args], { encoding: 'utf8' });
  return { status: result.status, stderr: result.stderr };
}

const dirs: string[] = [];
let host: ServiceHost | undefined;
afterEach(async () => {
  await host?.stop();
  host = undefined;
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe.runIf(asRoot && requireComponent('docker', 'docker-compose'))('privacy as root', () => {
  it("a compose project's dir and generated file: nobody can neither list, read nor write them", async () => {
    // A TMPDIR that anyone may traverse: only rebind's own modes keep nobody out.
    const base = mkdtempSync(join(tmpdir(), 'rebind-it-privacy-'));
    dirs.push(base);
    chmodSync(base, 0o755);
    const file = join(base, 'compose.yml');
    writeFileSync(
      file,
      'services:\n  web:\n    image: rebind/nginx:test\n    environment:\n      API_KEY: "s3cret"\n    ports:\n      - "80"\n',
    );
    chmodSync(file, 0o644);
    const previous = process.env.TMPDIR;
    process.env.TMPDIR = base;
    let project: Awaited<ReturnType<typeof startCompose>>;
    try {
      project = await startCompose({ files: [file] });
    } finally {
      if (previous === undefined) delete process.env.TMPDIR;
      else process.env.TMPDIR = previous;
    }
    try {
      const [name] = readdirSync(base).filter((n) => n.startsWith('rebind-compose-'));
      const dir = join(base, name ?? 'missing');
      const generated = join(dir, `${project.projectName}.yml`);
      expect(statSync(dir).mode & 0o777).toBe(0o700);
      expect(statSync(generated).mode & 0o777).toBe(0o600);
      for (const args of [
        ['ls', dir],
        ['cat', generated],
        ['touch', join(dir, 'x')],
      ]) {
        const tried = asNobody(args);
        expect(tried.status, args.join(' ')).not.toBe(0);
        expect(tried.stderr).toContain('Permission denied');
      }
      // The check can fail: nobody reads the user's own file, which is 0644.
      expect(asNobody(['cat', file]).status).toBe(0);
    } finally {
      await project.stop();
    }
  });

  it("the runner's control channel: another user gets nothing without the run's secret", async () => {
    const server = fileURLToPath(import.meta.resolve('@rebind/runner/fixtures/http-server.js'));
    host = await startServiceHost({
      services: { web: { command: { command: process.execPath, args: [server], readyPath: '/' } } },
    });
    const base = host.context.control.replace(/\/[^/]*$/, '');
    // Not spawnSync: this process serves the control channel and must answer meanwhile.
    const fetchAs = (url: string) =>
      new Promise<number | null>((resolve) => {
        const script = `fetch(${JSON.stringify(url)}, { method: 'POST' }).then((r) => process.exit(r.status === 200 ? 0 : 3))`;
        spawn('runuser', ['-u', 'nobody', '--', process.execPath, '-e', script], {
          stdio: 'ignore',
        }).once('exit', resolve);
      });
    expect(await fetchAs(`${base}/guess/acquire?slot=1`)).toBe(3);
    expect(await fetchAs(`${base}/acquire?slot=1`)).toBe(3);
    // The check can fail: with the secret, nobody would get the endpoints.
    expect(await fetchAs(`${host.context.control}/stats`)).toBe(0);
  });

  it("the runner's control socket: another user cannot connect to it", async () => {
    host = await startServiceHost({});
    const path = host.context.socket as string;
    const script = `require('node:net').connect(${JSON.stringify(path)}).on('connect', () => process.exit(0)).on('error', () => process.exit(3))`;
    // Not spawnSync: this process serves the socket and must accept meanwhile.
    const connect = (command: string, args: string[]) =>
      new Promise<number | null>((resolve) => {
        spawn(command, [...args, '-e', script], { stdio: 'ignore' }).once('exit', resolve);
      });
    expect(await connect('runuser', ['-u', 'nobody', '--', process.execPath])).toBe(3);
    // The check can fail: this user connects.
    expect(await connect(process.execPath, [])).toBe(0);
  });
});
