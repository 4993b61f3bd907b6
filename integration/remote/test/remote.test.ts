// Several CI machines sharing one remote Docker engine. Two "hosts" are network
// namespaces joined to a third that holds a private dockerd (its own sockets, data root,
// containerd and bridge); each host runs a real Vitest suite with a per-test container
// service against it over DOCKER_HOST=tcp:// at the same time, and one runs over ssh://
// through a test-run sshd. Nothing here touches the machine's own engine but
// `docker save` of the test image.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { connectDocker, startContainer } from '@rebind/docker';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  createHostNetwork,
  netnsStatus,
  requireComponent,
  startRemoteEngine,
  startSshServer,
  type HostNetwork,
  type Netns,
  type RemoteEngine,
} from '@rebind/test-support';
import { leftoversAfter, startRunner, type RunningRunner } from '../../runners/test/harness.js';

const project = fileURLToPath(new URL('../projects/vitest/', import.meta.url));

interface Seen {
  readonly test: string;
  readonly host: string;
  readonly endpoint: { host: string; port: number; url: string; token: string };
  readonly answer: string;
}

const cannot = netnsStatus();
if (cannot !== undefined) console.warn(`skipping the remote-engine suite: ${cannot}`);

const runs: RunningRunner[] = [];
afterEach(() => {
  for (const run of runs.splice(0)) run.cleanup();
});

describe.skipIf(cannot !== undefined || !requireComponent('docker', 'docker-compose', 'sshd'))(
  'one remote Docker engine shared by several hosts',
  () => {
    let network: HostNetwork | undefined;
    let engine: RemoteEngine;
    let ports: [number, number];

    beforeAll(async () => {
      network = createHostNetwork(2);
      engine = await startRemoteEngine({
        netns: network.engine,
        hostname: 'rebind-remote-engine',
        images: ['rebind/nginx:test'],
      });
      const range = execFileSync(
        network.engine.wrap[0],
        [...network.engine.wrap.slice(1), 'cat', '/proc/sys/net/ipv4/ip_local_port_range'],
        { encoding: 'utf8' },
      );
      ports = range.trim().split(/\s+/).map(Number) as [number, number];
    });

    afterAll(async () => {
      await engine?.stop();
      network?.remove();
    });

    function runOn(
      host: Netns,
      name: string,
      env: Record<string, string> = {},
      inside: readonly string[] = [],
    ): RunningRunner {
      const run = startRunner('vitest4', {
        project,
        workers: 3,
        wrap: [...host.wrap, ...inside],
        env: { DOCKER_HOST: engine.tcp, REBIND_TEST_HOST: name, DEBUG: 'rebind:docker*', ...env },
      });
      runs.push(run);
      return run;
    }

    const containersOf = (run: RunningRunner) =>
      engine
        .docker('ps', '-aq', '--filter', `label=rebind.test-run=${run.tag}`)
        .split('\n')
        .filter(Boolean);

    /** Every test saw its own instance, on the engine's address, on a port the engine picked. */
    function expectOwnAnswers(run: RunningRunner, host: string, tests: number): Seen[] {
      const seen = run.records() as unknown as Seen[];
      expect(seen, run.output()).toHaveLength(tests);
      const address = network!.engine.address;
      for (const s of seen) {
        expect(s.host).toBe(host);
        expect(s.answer, s.test).toBe(`rebind-nginx ${s.endpoint.token}`);
        expect(s.endpoint.host).toBe(address);
        expect(s.endpoint.url).toBe(`http://${address}:${s.endpoint.port}/`);
        // the engine's pick (its ephemeral range), not the local allocator's (below it)
        expect(s.endpoint.port).toBeGreaterThanOrEqual(ports[0]);
        expect(s.endpoint.port).toBeLessThanOrEqual(ports[1]);
      }
      expect(new Set(seen.map((s) => s.endpoint.token)).size).toBe(tests);
      return seen;
    }

    it('two hosts run a per-test container suite at once over tcp://: no collision, no foreign answer, each cleans its own', async () => {
      const [a, b] = network!.hosts as [Netns, Netns];
      // a container that is no rebind run's: neither host may touch it
      const bystander = engine.docker('run', '-d', 'rebind/nginx:test').trim();
      const logged = engine.log().length;
      const started = Date.now();
      const runA = runOn(a, 'a');
      const runB = runOn(b, 'b');
      const [exitA, exitB] = await Promise.all(
        [runA, runB].map((run) => run.exited.then((e) => ({ ...e, ms: Date.now() - started }))),
      );
      console.log(
        `host a: ${exitA!.ms} ms, host b: ${exitB!.ms} ms (12 per-test restarts each, 3 workers)`,
      );
      expect(exitA!.code, runA.output()).toBe(0);
      expect(exitB!.code, runB.output()).toBe(0);
      const seenA = expectOwnAnswers(runA, 'a', 12);
      const seenB = expectOwnAnswers(runB, 'b', 12);
      const tokensB = new Set(seenB.map((s) => s.endpoint.token));
      expect(seenA.filter((s) => tokensB.has(s.endpoint.token))).toEqual([]);
      for (const run of [runA, runB]) {
        expect(run.output()).not.toMatch(/port is already allocated/);
        expect(run.output()).toMatch(/rebind: 12 tests/);
        expect(containersOf(run)).toEqual([]);
        expect(await leftoversAfter(run, 2000)).toEqual([]);
      }
      // nor did the engine refuse any of the 24 starts
      expect(engine.log().slice(logged)).not.toMatch(/already allocated|address already in use/);
      expect(engine.docker('inspect', '-f', '{{.State.Running}}', bystander).trim()).toBe('true');
      engine.docker('rm', '-f', bystander);
    });

    it('a host whose runner is SIGKILLed has its containers removed; another host, even in its own pid namespace, never touches them', async () => {
      const [a, b] = network!.hosts as [Netns, Netns];
      const killed = runOn(a, 'a', { REBIND_HANG: '1' });
      await killed.recorded(3);
      const live = containersOf(killed).sort();
      expect(live.length).toBeGreaterThan(0);
      // Host b in its own pid namespace (as a CI job in a container is): host a's runner
      // pid means nothing there, yet its containers are a live session's.
      const other = runOn(b, 'b', {}, ['unshare', '--pid', '--fork', '--mount-proc', '--']);
      expect((await other.exited).code, other.output()).toBe(0);
      expectOwnAnswers(other, 'b', 12);
      expect(containersOf(other)).toEqual([]);
      expect(containersOf(killed).sort(), other.output()).toEqual(live);
      const killedAt = Date.now();
      killed.child.kill('SIGKILL');
      await killed.exited;
      // rebind's watchdog (a process of host a) removes them through the engine's API
      const deadline = Date.now() + 30_000;
      while (containersOf(killed).length > 0 && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 100));
      expect(containersOf(killed), engine.log().slice(-2000)).toEqual([]);
      console.log(
        `host a SIGKILLed: its ${live.length} containers removed ${Date.now() - killedAt} ms after the kill (polled every 100 ms)`,
      );
    });

    it("a fixed host port held on the remote engine: 'remap' takes the engine's pick, on the engine's address", async () => {
      const [a] = network!.hosts as [Netns];
      const holder = engine.docker('run', '-d', '-p', '80', 'rebind/nginx:test').trim();
      const held = Number(/:(\d+)$/.exec(engine.docker('port', holder, '80').split('\n')[0]!)?.[1]);
      const tag = `remap-${process.pid}`;
      try {
        const out = execFileSync(
          a.wrap[0],
          [
            ...a.wrap.slice(1),
            process.execPath,
            fileURLToPath(new URL('../projects/start-remap.js', import.meta.url)),
          ],
          {
            encoding: 'utf8',
            env: {
              ...process.env,
              DOCKER_HOST: engine.tcp,
              REBIND_HELD_PORT: String(held),
              REBIND_TEST_RUN: tag,
            },
          },
        );
        const seen = JSON.parse(out) as {
          host: string;
          port: number;
          url: string;
          token: string;
          answer: string;
          remapped: { containerPort: number; requested: number; port: number; holder: string }[];
        }[];
        const address = network!.engine.address;
        for (const s of seen) {
          expect(s.host).toBe(address);
          expect(s.url).toBe(`http://${address}:${s.port}/`);
          expect(s.answer).toBe(`rebind-nginx ${s.token}`);
          expect(s.port).not.toBe(held);
          expect(s.port).toBeGreaterThanOrEqual(ports[0]);
          expect(s.port).toBeLessThanOrEqual(ports[1]);
        }
        expect(seen[0]!.remapped).toEqual([
          {
            containerPort: 80,
            requested: held,
            port: seen[0]!.port,
            holder: expect.stringMatching(
              /^container \S+ \(id [0-9a-f]{12}, image rebind\/nginx:test/,
            ) as string,
          },
        ]);
        expect(engine.docker('ps', '-aq', '--filter', `label=rebind.test-run=${tag}`).trim()).toBe(
          '',
        );
      } finally {
        engine.docker('rm', '-f', holder);
      }
    });

    it("a compose project's fixed host port held on the remote engine: 'remap' publishes it for the engine to pick, on the engine's address", async () => {
      const [a] = network!.hosts as [Netns];
      // Published on 0.0.0.0 only (as startContainer on a remote engine does): Docker 20.10
      // picks IPv4 and IPv6 host ports from separate counters, so from here on the
      // project's "80/tcp" gets two different ports, and the IPv4 address at its IPv6 pick
      // is free or another container's (the holder's, on a fresh engine).
      const skew = engine.docker('run', '-d', '-p', '0.0.0.0::80', 'rebind/nginx:test').trim();
      const holder = engine.docker('run', '-d', '-p', '80', 'rebind/nginx:test').trim();
      const held = Number(/:(\d+)$/.exec(engine.docker('port', holder, '80').split('\n')[0]!)?.[1]);
      const projectName = `rebind-remote-remap-${process.pid}`;
      try {
        const out = execFileSync(
          a.wrap[0],
          [
            ...a.wrap.slice(1),
            process.execPath,
            fileURLToPath(new URL('../projects/compose-remap.js', import.meta.url)),
          ],
          {
            encoding: 'utf8',
            env: {
              ...process.env,
              DOCKER_HOST: engine.tcp,
              REBIND_HELD_PORT: String(held),
              REBIND_PROJECT: projectName,
              DEBUG: 'rebind:compose*',
            },
          },
        );
        const seen = JSON.parse(out) as {
          host: string;
          port: number;
          portOf: number;
          url: string;
          urlOf: string;
          answer: string;
          remapped: { service: string; containerPort: number; requested: number; port: number }[];
          engine: { id: string; bindings: { ip: string; port: number }[] }[];
        }[];
        console.log(
          `compose remap on the remote engine: held ${held} -> ${seen.map((s) => s.port).join(', then ')} (restart); the engine's bindings: ${seen.map((s) => s.engine[0]?.bindings.map((b) => `${b.ip} ${b.port}`).join(' and ')).join('; ')}`,
        );
        expect(seen).toHaveLength(2);
        const address = network!.engine.address;
        for (const s of seen) {
          expect(s.host).toBe(address);
          expect(s.portOf).toBe(s.port);
          expect(s.url).toBe(`http://${address}:${s.port}/`);
          expect(s.urlOf).toBe(s.url);
          // the project's own container answers, on the port the engine bound on IPv4 (the
          // address this host dials), which is not the one it bound on IPv6
          expect(s.engine).toHaveLength(1);
          const [own] = s.engine as [(typeof s.engine)[number]];
          expect(s.answer).toBe(`rebind-nginx ${own.id}`);
          const v4 = own.bindings.filter((b) => b.ip === '0.0.0.0').map((b) => b.port);
          const v6 = own.bindings.filter((b) => b.ip === '::').map((b) => b.port);
          expect(v4).toEqual([s.port]);
          expect(v6).toHaveLength(1);
          expect(v6[0]).not.toBe(s.port);
          expect(s.port).not.toBe(held);
          // the engine's pick (its ephemeral range), not the local allocator's (below it)
          expect(s.port).toBeGreaterThanOrEqual(ports[0]);
          expect(s.port).toBeLessThanOrEqual(ports[1]);
          expect(s.remapped).toEqual([
            expect.objectContaining({
              service: 'web',
              containerPort: 80,
              requested: held,
              port: s.port,
            }) as unknown,
          ]);
        }
        // the restart is a new `up`: a new container
        expect(seen[1]!.answer).not.toBe(seen[0]!.answer);
        const label = `label=com.docker.compose.project=${projectName}`;
        expect(engine.docker('ps', '-aq', '--filter', label).trim()).toBe('');
        expect(engine.docker('network', 'ls', '-q', '--filter', label).trim()).toBe('');
      } finally {
        engine.docker('rm', '-f', holder, skew);
      }
    });

    it("a unix socket whose engine is another machine's (by its name) is remote: 'auto' is the engine's pick", async () => {
      expect((await connectDocker()).remote).toBe(false);
      expect((await connectDocker({ dockerHost: engine.socket })).remote).toBe(true);
      const web = await startContainer({
        image: 'rebind/nginx:test',
        dockerHost: engine.socket,
        ports: [{ container: 80, host: 'auto' }],
        // its ports are in the engine's namespace: not reachable from this one
        ready: 'started',
      });
      const id = web.id;
      try {
        expect(web.port).toBeGreaterThanOrEqual(ports[0]);
        expect(web.port).toBeLessThanOrEqual(ports[1]);
        expect(engine.docker('port', id, '80')).toMatch(new RegExp(`:${web.port}\\n`));
      } finally {
        await web.stop();
      }
      expect(engine.docker('ps', '-aq', '--filter', `id=${id}`)).toBe('');
    });

    it('DOCKER_HOST=ssh:// through an sshd on the engine host: start, per-test restarts, cleanup', async () => {
      const [a] = network!.hosts as [Netns];
      const sshd = await startSshServer({
        netns: network!.engine,
        env: { DOCKER_HOST: engine.socket },
      });
      try {
        const started = Date.now();
        const run = runOn(a, 'a', {
          DOCKER_HOST: sshd.dockerHost,
          SSH_AUTH_SOCK: sshd.agentSocket,
        });
        const exit = await run.exited;
        console.log(
          `host a over ssh://: ${Date.now() - started} ms (12 per-test restarts, 3 workers)`,
        );
        expect(exit.code, `${run.output()}\n${sshd.log()}`).toBe(0);
        expectOwnAnswers(run, 'a', 12);
        expect(containersOf(run)).toEqual([]);
        expect(await leftoversAfter(run, 2000)).toEqual([]);
      } finally {
        await sshd.stop();
      }
    });
  },
);
