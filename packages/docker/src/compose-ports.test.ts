import { describe, expect, it } from 'vitest';
import { addLabels, clearPublished, composePorts, setPublished } from './compose-ports.js';

describe('compose ports', () => {
  const model = () => ({
    services: {
      web: {
        image: 'x',
        ports: [{ published: 8080, target: 80, protocol: 'tcp' }, '127.0.0.1:8443:443/tcp'],
      },
      any: { image: 'y', ports: ['80', { target: 81, published: 0 }], labels: ['a=b'] },
      none: null,
    },
  });

  it('reads fixed and engine-chosen ports in both syntaxes', () => {
    expect(composePorts(model())).toEqual([
      { service: 'web', index: 0, hostIp: undefined, published: 8080, target: 80, protocol: 'tcp' },
      {
        service: 'web',
        index: 1,
        hostIp: '127.0.0.1',
        published: 8443,
        target: 443,
        protocol: 'tcp',
      },
      {
        service: 'any',
        index: 0,
        hostIp: undefined,
        published: undefined,
        target: 80,
        protocol: 'tcp',
      },
      {
        service: 'any',
        index: 1,
        hostIp: undefined,
        published: undefined,
        target: 81,
        protocol: 'tcp',
      },
    ]);
  });

  it('rewrites a host port and adds labels', () => {
    const m = model();
    const [long, short] = composePorts(m);
    setPublished(m, long!, 20001);
    setPublished(m, short!, 20002);
    addLabels(m, { 'rebind.session': 's' });
    expect(m.services.web.ports).toEqual([
      { published: 20001, target: 80, protocol: 'tcp' },
      '127.0.0.1:20002:443/tcp',
    ]);
    expect(m.services.web).toMatchObject({ labels: { 'rebind.session': 's' } });
    expect(m.services.any.labels).toEqual(['a=b', 'rebind.session=s']);
  });

  it('drops a host port for the engine to pick, keeping the host address', () => {
    const m = model();
    const [long, short] = composePorts(m);
    clearPublished(m, long!);
    clearPublished(m, short!);
    expect(m.services.web.ports).toEqual([{ target: 80, protocol: 'tcp' }, '127.0.0.1::443/tcp']);
    expect(
      composePorts(m)
        .slice(0, 2)
        .map((p) => p.published),
    ).toEqual([undefined, undefined]);
  });
});
