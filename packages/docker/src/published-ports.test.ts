import { describe, expect, it } from 'vitest';
import { publishedPorts } from './published-ports.js';

const bind = (IP: string, PrivatePort: number, PublicPort: number, Type = 'tcp') => ({
  IP,
  PrivatePort,
  PublicPort,
  Type,
});

describe('publishedPorts', () => {
  // what Docker 20.10 listed for a compose "80/tcp" once the counters had drifted apart
  const drifted = [bind('0.0.0.0', 80, 32772), bind('::', 80, 32769)];

  it("takes the IPv4 binding for an IPv4 address or a name, whatever the engine's order", () => {
    expect(publishedPorts(drifted, '10.213.0.1')).toEqual(new Map([[80, 32772]]));
    expect(publishedPorts([...drifted].reverse(), '10.213.0.1')).toEqual(new Map([[80, 32772]]));
    expect(publishedPorts(drifted, 'build-engine')).toEqual(new Map([[80, 32772]]));
    expect(publishedPorts(drifted, '127.0.0.1')).toEqual(new Map([[80, 32772]]));
  });

  it('takes the IPv6 binding for an IPv6 address, bracketed or not', () => {
    expect(publishedPorts(drifted, 'fd00::1')).toEqual(new Map([[80, 32769]]));
    expect(publishedPorts(drifted, '[::1]')).toEqual(new Map([[80, 32769]]));
  });

  it('prefers the binding on exactly the dialed address, then any family, then tcp', () => {
    const ports = [bind('0.0.0.0', 80, 1001), bind('10.0.0.5', 80, 1002)];
    expect(publishedPorts(ports, '10.0.0.5')).toEqual(new Map([[80, 1002]]));
    expect(publishedPorts(ports, '10.0.0.6')).toEqual(new Map([[80, 1001]]));
    expect(publishedPorts([bind('::', 80, 1003)], '10.0.0.6')).toEqual(new Map([[80, 1003]]));
    const both = [bind('0.0.0.0', 53, 2001, 'udp'), bind('0.0.0.0', 53, 2002)];
    expect(publishedPorts(both, '127.0.0.1')).toEqual(new Map([[53, 2002]]));
    expect(publishedPorts(both, '127.0.0.1', 'udp')).toEqual(new Map([[53, 2001]]));
  });

  it('skips unpublished ports', () => {
    expect(publishedPorts([{ PrivatePort: 80, Type: 'tcp' } as never], 'h')).toEqual(new Map());
  });
});
