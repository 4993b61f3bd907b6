import { describe, expect, it } from 'vitest';
import { isRebindError } from '../../errors.js';
import { inspectPort } from '../inspect-port.js';
import { loadBackend } from './index.js';

describe('the platform dispatch table', () => {
  it.each(['linux', 'darwin', 'win32'])('has a back end for %s', async (platform) => {
    expect((await loadBackend(platform, () => Promise.resolve(''))).platform).toBe(platform);
  });

  it('rejects any other platform with REBIND_UNSUPPORTED_PLATFORM', async () => {
    const error: unknown = await loadBackend('aix').catch((e: unknown) => e);
    expect(isRebindError(error, 'REBIND_UNSUPPORTED_PLATFORM')).toBe(true);
    expect((error as Error).message).toBe(
      "rebind cannot inspect ports on `aix`: only linux, darwin and win32 have a back end. Inspect the port with the OS's own tools.",
    );
    await expect(inspectPort(8080, { platform: 'sunos' })).rejects.toMatchObject({
      code: 'REBIND_UNSUPPORTED_PLATFORM',
    });
    await expect(loadBackend('constructor')).rejects.toMatchObject({
      code: 'REBIND_UNSUPPORTED_PLATFORM',
    });
  });
});
