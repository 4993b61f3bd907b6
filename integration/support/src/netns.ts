// Machines made from network namespaces: one "engine" namespace holding a bridge, and
// "host" namespaces joined to it by veth pairs, each with its own address in a private
// subnet. The addresses exist only inside these namespaces, so two runs (or a run and the
// machine's own networks) never clash, and no traffic leaves them.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';

/** One namespace: a "machine" with its own address, loopback and port table. */
export interface Netns {
  readonly name: string;
  /** Its address on the shared bridge, e.g. `10.213.0.2`. */
  readonly address: string;
  /**
   * The command prefix that runs a program in this namespace's network only (`nsenter
   * --net`, unlike `ip netns exec`, leaves /sys and the cgroup mounts as they are, which
   * dockerd needs). nsenter execs the program: its pid is the program's pid.
   */
  readonly wrap: readonly [string, ...string[]];
}

export interface HostNetwork {
  /** The namespace holding the bridge; the "remote" engine lives there. */
  readonly engine: Netns;
  readonly hosts: readonly Netns[];
  /** Deletes every namespace (their interfaces go with them). Idempotent. */
  remove(): void;
}

const SUBNET = '10.213.0';

function ip(...args: string[]): void {
  execFileSync('ip', args, { stdio: ['ignore', 'ignore', 'pipe'] });
}

function netns(name: string, address: string): Netns {
  return { name, address, wrap: ['nsenter', `--net=/run/netns/${name}`, '--'] };
}

/** Why this machine cannot make network namespaces (not root, no iproute2...), or undefined. */
export function netnsStatus(): string | undefined {
  const probe = `rb-probe-${process.pid}-${randomBytes(2).toString('hex')}`;
  try {
    execFileSync('nsenter', ['--version'], { stdio: 'ignore' });
    ip('netns', 'add', probe);
    ip('netns', 'del', probe);
    return undefined;
  } catch (error) {
    const stderr = (error as { stderr?: Buffer }).stderr?.toString().trim();
    return `this machine cannot create network namespaces (ip netns add: ${stderr || (error as Error).message}); they need root (CAP_SYS_ADMIN and CAP_NET_ADMIN), iproute2 and util-linux's nsenter`;
  }
}

/** Makes the engine namespace and `count` host namespaces, all on one bridge. */
export function createHostNetwork(count: number): HostNetwork {
  const prefix = `rb-${process.pid}-${randomBytes(2).toString('hex')}`;
  const engine = netns(`${prefix}-engine`, `${SUBNET}.1`);
  const hosts = Array.from({ length: count }, (_, i) =>
    netns(`${prefix}-host${i + 1}`, `${SUBNET}.${i + 2}`),
  );
  const made: string[] = [];
  const remove = () => {
    for (const name of made.splice(0).reverse()) {
      try {
        ip('netns', 'del', name);
      } catch {
        // already gone
      }
    }
  };
  try {
    for (const ns of [engine, ...hosts]) {
      ip('netns', 'add', ns.name);
      made.push(ns.name);
      ip('-n', ns.name, 'link', 'set', 'lo', 'up');
    }
    ip('-n', engine.name, 'link', 'add', 'br0', 'type', 'bridge');
    ip('-n', engine.name, 'addr', 'add', `${engine.address}/24`, 'dev', 'br0');
    ip('-n', engine.name, 'link', 'set', 'br0', 'up');
    for (const [i, host] of hosts.entries()) {
      // Made inside the engine namespace, the peer moved straight into the host's: no
      // interface ever appears in the machine's own namespace.
      ip('-n', engine.name, 'link', 'add', `veth${i}`, 'type', 'veth', 'peer', 'name', 'eth0');
      ip('-n', engine.name, 'link', 'set', 'eth0', 'netns', host.name);
      ip('-n', engine.name, 'link', 'set', `veth${i}`, 'master', 'br0', 'up');
      ip('-n', host.name, 'addr', 'add', `${host.address}/24`, 'dev', 'eth0');
      ip('-n', host.name, 'link', 'set', 'eth0', 'up');
    }
  } catch (error) {
    remove();
    throw error;
  }
  return { engine, hosts, remove };
}
