import { access, constants } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import { RebindError } from '@rebind/core';
import { runOnce } from '@rebind/core/internal';

export interface NginxBinary {
  /** Absolute path of the binary. */
  readonly path: string;
  /** `1.22.1` */
  readonly version: string;
  /** `[1, 22, 1]` */
  readonly versionParts: readonly [number, number, number];
  /** The `-e` flag (early error log) exists from nginx 1.19.5 on. */
  readonly supportsErrorLogFlag: boolean;
  /** The `configure arguments:` line of `nginx -V`. */
  readonly configureArguments: string;
}

const MIN_VERSION: [number, number, number] = [1, 18, 0];

async function isExecutable(path: string): Promise<boolean> {
  try {
    await access(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

async function locate(binary: string | undefined): Promise<string | undefined> {
  if (binary !== undefined) {
    if (binary.includes('/')) return (await isExecutable(binary)) ? binary : undefined;
  }
  const name = binary ?? 'nginx';
  const dirs = [
    ...(process.env.PATH ?? '').split(delimiter),
    '/usr/sbin',
    '/usr/local/sbin',
    '/usr/local/nginx/sbin',
  ];
  for (const dir of dirs) {
    if (dir === '') continue;
    const candidate = join(dir, name);
    if (await isExecutable(candidate)) return candidate;
  }
  return undefined;
}

export function compareVersions(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < 3; i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/** Parses the output of `nginx -V` (it prints to stderr). */
export function parseNginxVersion(
  output: string,
): { version: string; parts: [number, number, number]; configureArguments: string } | undefined {
  const match = /nginx version: [^/\s]+\/(\d+)\.(\d+)\.(\d+)/.exec(output);
  if (!match) return undefined;
  const parts: [number, number, number] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const configure = /configure arguments:(.*)/.exec(output)?.[1]?.trim() ?? '';
  return { version: parts.join('.'), parts, configureArguments: configure };
}

/**
 * Finds an nginx binary (the one named, else `nginx` on PATH or in the usual sbin
 * directories) and reads its version from `nginx -V`.
 */
export async function findNginx(binary?: string): Promise<NginxBinary> {
  const path = await locate(binary);
  if (path === undefined) {
    throw new RebindError(
      'REBIND_COMPONENT_MISSING',
      binary === undefined
        ? 'nginx was not found on PATH nor in /usr/sbin, /usr/local/sbin, /usr/local/nginx/sbin. Install it (apt-get install -y nginx) or pass its path as `binary`.'
        : `The nginx binary \`${binary}\` does not exist or is not executable. Pass the path of an executable nginx as \`binary\`.`,
      { details: { binary } },
    );
  }
  const version = await runOnce(path, ['-V'], { timeout: 10_000 });
  if (version.failed)
    throw new RebindError(
      'REBIND_NGINX_UNSUPPORTED_VERSION',
      `\`${path} -V\` failed, so its version is unknown. Pass the path of a working nginx as \`binary\`.`,
      { cause: version.error, details: { binary: path } },
    );
  const output = `${version.stderr}${version.stdout}`;
  const parsed = parseNginxVersion(output);
  if (parsed === undefined || compareVersions(parsed.parts, MIN_VERSION) < 0) {
    throw new RebindError(
      'REBIND_NGINX_UNSUPPORTED_VERSION',
      parsed === undefined
        ? `\`${path} -V\` printed no version rebind understands: ${JSON.stringify(output.slice(0, 200))}. Pass the path of nginx >= ${MIN_VERSION.join('.')} as \`binary\`.`
        : `${path} is nginx ${parsed.version}; rebind needs nginx >= ${MIN_VERSION.join('.')}. Pass a newer binary as \`binary\`.`,
      { details: { binary: path, version: parsed?.version } },
    );
  }
  return {
    path,
    version: parsed.version,
    versionParts: parsed.parts,
    supportsErrorLogFlag: compareVersions(parsed.parts, [1, 19, 5]) >= 0,
    configureArguments: parsed.configureArguments,
  };
}
