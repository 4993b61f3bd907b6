import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

export type Component =
  'nginx' | 'nginx-echo' | 'docker' | 'ss' | 'lsof' | 'busybox' | 'docker-compose' | 'sshd';

const fixes: Record<Component, string> = {
  nginx: 'apt-get install -y nginx',
  'nginx-echo': 'apt-get install -y libnginx-mod-http-echo',
  docker:
    'apt-get install -y docker.io && bash docker/start-engine.sh && bash docker/build-images.sh',
  ss: 'apt-get install -y iproute2',
  lsof: 'apt-get install -y lsof',
  busybox: 'apt-get install -y busybox-static',
  'docker-compose': 'apt-get install -y docker-compose',
  sshd: 'apt-get install -y openssh-server openssh-client (npm run prepare:system starts no system sshd)',
};

function works(command: string, args: string[]): boolean {
  try {
    execFileSync(command, args, { stdio: 'ignore', timeout: 10_000 });
    return true;
  } catch {
    return false;
  }
}

const cache = new Map<Component, string | undefined>();

/** Why a component is unusable here, or undefined when it works. */
export function componentStatus(component: Component): string | undefined {
  if (cache.has(component)) return cache.get(component);
  let problem: string | undefined;
  switch (component) {
    case 'nginx':
      if (!works('nginx', ['-v']) && !existsSync('/usr/sbin/nginx'))
        problem = 'nginx is not installed';
      break;
    case 'docker':
      if (!works('docker', ['--version'])) problem = 'the docker CLI is not installed';
      else if (!works('docker', ['info'])) problem = 'no Docker engine answers';
      else if (!works('docker', ['image', 'inspect', 'rebind/nginx:test', 'rebind/busybox:test']))
        problem = "rebind's offline test images are not built";
      break;
    case 'nginx-echo':
      if (!existsSync('/usr/share/nginx/modules/ngx_http_echo_module.so'))
        problem = "nginx's echo module (ngx_http_echo_module.so) is not installed";
      break;
    case 'ss':
      if (!works('ss', ['-V'])) problem = 'ss (iproute2) is not installed';
      break;
    case 'lsof':
      if (!works('lsof', ['-v'])) problem = 'lsof is not installed';
      break;
    case 'busybox':
      if (!works('busybox', ['true'])) problem = 'busybox is not installed';
      break;
    case 'docker-compose':
      if (!works('docker-compose', ['version'])) problem = 'docker-compose is not installed';
      break;
    case 'sshd':
      if (!['/usr/sbin/sshd', '/usr/bin/ssh-keygen', '/usr/bin/ssh-agent'].every(existsSync))
        problem = 'openssh-server (sshd) or openssh-client is not installed';
      break;
  }
  const status = problem === undefined ? undefined : `${problem}. Fix: ${fixes[component]}`;
  cache.set(component, status);
  return status;
}

/**
 * Whether the suite may run tests that need `component`. In CI (`CI` set) a missing
 * component throws: a real component is never silently skipped there. Locally the caller
 * skips, and this prints why.
 *
 *   const hasNginx = requireComponent('nginx');
 *   describe.runIf(hasNginx)('nginx', () => { ... });
 */
export function requireComponent(...components: Component[]): boolean {
  const problems = components.map(componentStatus).filter((p): p is string => p !== undefined);
  if (problems.length === 0) return true;
  if (process.env.CI) {
    throw new Error(
      `This suite needs real components that are missing in CI:\n  ${problems.join('\n  ')}`,
    );
  }
  console.warn(`skipping: ${problems.join('; ')}`);
  return false;
}
