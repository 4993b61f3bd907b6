import { describe, expect, it } from 'vitest';
import {
  parseBsdRange,
  parseLinuxRange,
  parseWindowsRange,
  rangeOutside,
  readEphemeralRange,
} from './port-range.js';

describe('ephemeral range parsers', () => {
  it('reads Linux ip_local_port_range', () => {
    expect(parseLinuxRange('32768\t60999\n')).toEqual([32768, 60999]);
    expect(parseLinuxRange('garbage')).toBeUndefined();
    expect(parseLinuxRange('60999\t32768\n')).toBeUndefined();
  });

  it('reads the BSD/macOS sysctl pair', () => {
    expect(parseBsdRange('49152\n65535\n')).toEqual([49152, 65535]);
    expect(parseBsdRange('49152\n')).toBeUndefined();
  });

  it('reads netsh dynamicport output, localised labels included', () => {
    const english = [
      '',
      'Protocol tcp Dynamic Port Range',
      '---------------------------------',
      'Start Port      : 49152',
      'Number of Ports : 16384',
      '',
    ].join('\r\n');
    expect(parseWindowsRange(english)).toEqual([49152, 65535]);
    const german = 'Startport       : 1025\r\nAnzahl der Ports: 3976\r\n';
    expect(parseWindowsRange(german)).toEqual([1025, 5000]);
    expect(parseWindowsRange('nothing here')).toBeUndefined();
  });

  it('falls back to the IANA range on an OS without a back end', async () => {
    expect(await readEphemeralRange('aix')).toEqual([49152, 65535]);
  });

  it('reads this machine', async () => {
    const [low, high] = await readEphemeralRange();
    expect(low).toBeGreaterThan(0);
    expect(high).toBeGreaterThanOrEqual(low);
  });
});

describe('rangeOutside', () => {
  it('takes the ports below the ephemeral range, from 10000 when there is room', () => {
    expect(rangeOutside([32768, 60999])).toEqual([10000, 32767]);
    expect(rangeOutside([49152, 65535])).toEqual([10000, 49151]);
  });

  it('starts at 1024 when 10000 leaves too little room, never below', () => {
    expect(rangeOutside([10500, 60999])).toEqual([1024, 10499]);
  });

  it('goes above the ephemeral range when there is no room below', () => {
    expect(rangeOutside([1024, 40000])).toEqual([40001, 65535]);
  });

  it('says so when there is no room at all', () => {
    expect(() => rangeOutside([1024, 65535])).toThrow(
      'The ephemeral port range 1024-65535 leaves no room for a default allocation range. Pass `range` explicitly, or narrow the ephemeral range (ip_local_port_range).',
    );
  });
});
