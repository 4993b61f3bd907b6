import { isIPv4, isIPv6 } from 'node:net';

/** Formats eight 16-bit groups the RFC 5952 way: compressed, lower case, `::ffff:a.b.c.d`. */
export function formatIpv6Groups(groups: readonly number[]): string {
  if (groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff) {
    const a = groups[6] ?? 0;
    const b = groups[7] ?? 0;
    return `::ffff:${a >> 8}.${a & 255}.${b >> 8}.${b & 255}`;
  }
  let bestStart = -1;
  let bestLength = 1;
  for (let i = 0; i < 8;) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLength) {
      bestStart = i;
      bestLength = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hex.join(':');
  const head = hex.slice(0, bestStart).join(':');
  const tail = hex.slice(bestStart + bestLength).join(':');
  return `${head}::${tail}`;
}

/** Parses IPv6 text (with `::`, an embedded IPv4 tail, a `%zone`) into eight groups. */
export function parseIpv6(text: string): number[] | undefined {
  let address = text.replace(/^\[|\]$/g, '');
  const zone = address.indexOf('%');
  if (zone >= 0) address = address.slice(0, zone);
  if (!isIPv6(address)) return undefined;
  const v4 = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(address);
  if (v4) {
    const [a, b, c, d] = v4.slice(1).map(Number) as [number, number, number, number];
    const hex = `${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
    address = address.slice(0, v4.index) + hex;
  }
  const [left = '', right] = address.split('::') as [string, string | undefined];
  const part = (s: string) => (s === '' ? [] : s.split(':').map((g) => parseInt(g, 16)));
  const l = part(left);
  const r = right === undefined ? [] : part(right);
  const fill = 8 - l.length - r.length;
  if (right === undefined && fill !== 0) return undefined;
  return [...l, ...new Array<number>(Math.max(0, fill)).fill(0), ...r];
}

/** Canonical text for any IPv4 or IPv6 address text; `*` and empty become the wildcard. */
export function canonicalAddress(text: string, family: 4 | 6): string {
  if (text === '*' || text === '') return family === 4 ? '0.0.0.0' : '::';
  if (isIPv4(text)) return text;
  const groups = parseIpv6(text);
  return groups === undefined ? text : formatIpv6Groups(groups);
}

/** True for `0.0.0.0` and `::`. */
export function isWildcard(address: string): boolean {
  return address === '0.0.0.0' || address === '::';
}
