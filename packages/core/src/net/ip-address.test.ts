import { describe, expect, it } from 'vitest';
import { canonicalAddress, formatIpv6Groups, parseIpv6 } from './ip-address.js';

describe('canonicalAddress', () => {
  it.each([
    ['::', '::'],
    ['::1', '::1'],
    ['[::1]', '::1'],
    ['::ffff:127.0.0.1', '::ffff:127.0.0.1'],
    ['::FFFF:7f00:1', '::ffff:127.0.0.1'],
    ['fe80::1%eth0', 'fe80::1'],
    ['2001:0db8:0000:0000:0000:0000:0000:0001', '2001:db8::1'],
    ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'],
    ['1:0:0:2:0:0:0:3', '1:0:0:2::3'],
    ['2001:db8:0:1:1:1:1:1', '2001:db8:0:1:1:1:1:1'],
    ['2001:db8::10.1.2.3', '2001:db8::a01:203'],
    ['*', '::'],
  ])('%s -> %s', (input, expected) => {
    expect(canonicalAddress(input, 6)).toBe(expected);
  });

  it('keeps IPv4 as it is and maps * to 0.0.0.0', () => {
    expect(canonicalAddress('127.0.0.1', 4)).toBe('127.0.0.1');
    expect(canonicalAddress('*', 4)).toBe('0.0.0.0');
  });

  it('round-trips groups', () => {
    expect(formatIpv6Groups(parseIpv6('fe80::a:b') ?? [])).toBe('fe80::a:b');
    expect(parseIpv6('not an address')).toBeUndefined();
  });
});
