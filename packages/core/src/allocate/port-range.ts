import { readFile } from 'node:fs/promises';
import { RebindError } from '../errors.js';
import { invalidOption } from '../validate.js';
import { runOnce } from '../proc/run-command.js';

/** An inclusive range of port numbers, `[low, high]`. */
export type PortRange = readonly [low: number, high: number];

/** Ports below this are privileged on most systems; the default range never includes them. */
const firstUnprivileged = 1024;
/**
 * The default range starts here when the space below the ephemeral range allows it, so
 * that leased ports stay clear of the conventional ports developers run their own servers
 * on (3000, 5432, 8080...).
 */
const preferredLow = 10_000;

/** Linux: `/proc/sys/net/ipv4/ip_local_port_range` holds "32768\t60999". */
export function parseLinuxRange(text: string): PortRange | undefined {
  const match = /^\s*(\d+)\s+(\d+)\s*$/.exec(text);
  return match ? checked(Number(match[1]), Number(match[2])) : undefined;
}

/** macOS and FreeBSD: `sysctl -n net.inet.ip.portrange.first net.inet.ip.portrange.last`. */
export function parseBsdRange(text: string): PortRange | undefined {
  const match = /^\s*(\d+)\s+(\d+)\s*$/.exec(text);
  return match ? checked(Number(match[1]), Number(match[2])) : undefined;
}

/**
 * Windows: `netsh int ipv4 show dynamicport tcp` prints "Start Port : 49152" and
 * "Number of Ports : 16384" (labels are localised, so the two numbers are taken in order).
 */
export function parseWindowsRange(text: string): PortRange | undefined {
  const numbers = [...text.matchAll(/:\s*(\d+)\s*$/gm)].map((m) => Number(m[1]));
  if (numbers.length < 2) return undefined;
  const [start, count] = numbers as [number, number];
  return checked(start, start + count - 1);
}

function checked(low: number, high: number): PortRange | undefined {
  return low >= 1 && high <= 65535 && low <= high ? [low, high] : undefined;
}

type RangeReader = () => Promise<PortRange | undefined>;

/** One back end per OS; the documented default where the OS cannot be asked. */
const readers: Partial<Record<NodeJS.Platform, RangeReader>> = {
  linux: async () =>
    parseLinuxRange(await readFile('/proc/sys/net/ipv4/ip_local_port_range', 'utf8')),
  darwin: async () =>
    parseBsdRange(
      (await runOnce('sysctl', ['-n', 'net.inet.ip.portrange.first', 'net.inet.ip.portrange.last']))
        .stdout,
    ),
  freebsd: async () =>
    parseBsdRange(
      (await runOnce('sysctl', ['-n', 'net.inet.ip.portrange.first', 'net.inet.ip.portrange.last']))
        .stdout,
    ),
  win32: async () =>
    parseWindowsRange(
      (await runOnce('netsh', ['int', 'ipv4', 'show', 'dynamicport', 'tcp'])).stdout,
    ),
};

/** IANA's dynamic range, the default of macOS, Windows and the BSDs. */
const ianaEphemeral: PortRange = [49152, 65535];

/** Reads the machine's ephemeral (outgoing) port range, falling back to IANA's. */
export async function readEphemeralRange(
  platform: NodeJS.Platform = process.platform,
): Promise<PortRange> {
  const reader = readers[platform];
  if (reader === undefined) return ianaEphemeral;
  try {
    return (await reader()) ?? ianaEphemeral;
  } catch {
    return ianaEphemeral;
  }
}

/**
 * The default allocation range for an ephemeral range: below it (outgoing connections
 * take their local ports from it, and could steal a leased port before its server binds),
 * above the privileged ports, from 10000 when there is room. Above it if there is no room
 * below.
 */
export function rangeOutside(ephemeral: PortRange): PortRange {
  const [low, high] = ephemeral;
  if (low - 1 - preferredLow >= 1000) return [preferredLow, low - 1];
  if (low - 1 >= firstUnprivileged + 100) return [firstUnprivileged, low - 1];
  if (high < 65535 - 100) return [high + 1, 65535];
  throw new RebindError(
    'REBIND_PORTS_EXHAUSTED',
    `The ephemeral port range ${low}-${high} leaves no room for a default allocation range. Pass \`range\` explicitly, or narrow the ephemeral range (ip_local_port_range).`,
    { details: { ephemeral } },
  );
}

let cachedDefault: Promise<PortRange> | undefined;

/** The default range for this machine, read once per process. */
export function defaultRange(): Promise<PortRange> {
  cachedDefault ??= readEphemeralRange().then(rangeOutside);
  return cachedDefault;
}

/** Validates a `range` option: two integers 1..65535, low <= high. */
export function validateRange(value: unknown, name = 'range'): PortRange {
  const expected = 'a `[low, high]` pair of integers from 1 to 65535 with low <= high';
  if (!Array.isArray(value) || value.length !== 2) throw invalidOption(name, expected, value);
  const [low, high] = value as unknown[];
  const isPort = (n: unknown): n is number =>
    typeof n === 'number' && Number.isInteger(n) && n >= 1 && n <= 65535;
  if (!isPort(low) || !isPort(high) || low > high) throw invalidOption(name, expected, value);
  return [low, high];
}
