import { RebindError } from '../../errors.js';
import type { CommandRunner, PlatformBackend } from './backend.js';
import { runCommand } from '../../proc/run-command.js';

/** The dispatch table: one back end per OS. macOS and Windows are parser-tested only. */
const backends: Readonly<Record<string, (run: CommandRunner) => Promise<PlatformBackend>>> = {
  linux: () => import('./linux.js').then((m) => m.linuxBackend),
  darwin: (run) => import('./darwin.js').then((m) => m.createDarwinBackend(run)),
  win32: (run) => import('./win32.js').then((m) => m.createWin32Backend(run)),
};

/**
 * The back end for `platform` (default `process.platform`); `run` replaces the command
 * runner (tests feed recorded outputs). Throws `REBIND_UNSUPPORTED_PLATFORM` elsewhere.
 */
export function loadBackend(
  platform: string = process.platform,
  run: CommandRunner = runCommand,
): Promise<PlatformBackend> {
  const load = Object.hasOwn(backends, platform) ? backends[platform] : undefined;
  if (load === undefined) {
    return Promise.reject(
      new RebindError(
        'REBIND_UNSUPPORTED_PLATFORM',
        `rebind cannot inspect ports on \`${platform}\`: only linux, darwin and win32 have a back end. Inspect the port with the OS's own tools.`,
        { details: { platform } },
      ),
    );
  }
  return load(run);
}
