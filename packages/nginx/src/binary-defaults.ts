import { readFileSync } from 'node:fs';
import type { NginxBinary } from './find-nginx.js';

export interface BinaryDefaults {
  /** The `*_temp_path` directives this binary knows. */
  readonly tempPaths: readonly string[];
  /** nginx's compiled `--prefix`. */
  readonly compiledPrefix: string;
  /**
   * `user` to add when running as root and the binary's compiled default user or group
   * does not exist here (nginx would fail with `getpwnam(...) failed`). Otherwise none:
   * unprivileged, nginx ignores `user`; as root it drops workers to its own default.
   */
  readonly addUser: string | undefined;
}

function names(file: string): Set<string> {
  try {
    return new Set(
      readFileSync(file, 'utf8')
        .split('\n')
        .map((l) => l.split(':')[0] ?? ''),
    );
  } catch {
    return new Set();
  }
}

export function binaryDefaults(binary: NginxBinary): BinaryDefaults {
  const args = binary.configureArguments;
  const option = (name: string) => new RegExp(`--${name}=(\\S+)`).exec(args)?.[1];
  const tempPaths = ['client_body_temp_path'];
  for (const module of ['proxy', 'fastcgi', 'uwsgi', 'scgi']) {
    if (!args.includes(`--without-http_${module}_module`)) tempPaths.push(`${module}_temp_path`);
  }
  let addUser: string | undefined;
  if (process.getuid?.() === 0) {
    const users = names('/etc/passwd');
    const groups = names('/etc/group');
    const user = option('user') ?? 'nobody';
    const group = option('group') ?? (groups.has('nobody') ? 'nobody' : 'nogroup');
    if (!users.has(user) || !groups.has(group)) {
      addUser = `nobody ${groups.has('nogroup') ? 'nogroup' : 'nobody'}`;
    }
  }
  return { tempPaths, compiledPrefix: option('prefix') ?? '/usr/local/nginx', addUser };
}
