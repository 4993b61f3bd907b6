import { isRebindError } from '@rebind/core';
import { describe, expect, it } from 'vitest';
import { isMissingPackage, loadDocker, missingManager } from './load-manager.js';

describe('loadDocker', () => {
  it('imports @rebind/docker where it is installed', async () => {
    const docker = await loadDocker({ name: 'db', kind: 'container' });
    expect(typeof docker.startContainer).toBe('function');
  });

  it('tells a missing package from a missing dependency of it', async () => {
    const specifier = '@rebind/not-installed';
    const missing: unknown = await import(specifier).catch((e: unknown) => e);
    expect(isMissingPackage(missing, '@rebind/not-installed')).toBe(true);
    expect(isMissingPackage(missing, '@rebind/docker')).toBe(false);
    expect(isMissingPackage(new Error("'@rebind/docker'"), '@rebind/docker')).toBe(false);
  });

  it('says which service needs the package and the command that installs it', () => {
    const error = missingManager('@rebind/docker', { name: 'db', kind: 'container' }, undefined);
    expect(isRebindError(error, 'REBIND_COMPONENT_MISSING')).toBe(true);
    expect(error.message).toBe(
      'Service `db` is a container, which needs @rebind/docker, and @rebind/docker is not installed (it is an optional peer dependency, so projects without containers do without the Docker client). Fix: npm install -D @rebind/docker',
    );
    expect(error.details).toEqual({
      service: 'db',
      package: '@rebind/docker',
      install: 'npm install -D @rebind/docker',
    });
  });
});
