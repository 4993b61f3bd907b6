// A container's output as text: the engine multiplexes stdout and stderr into frames with
// an 8-byte header (stream type, 3 zero bytes, big-endian length) unless it has a TTY.
import type Docker from 'dockerode';

export function demuxLogs(buffer: Buffer): string {
  if (
    buffer.length < 8 ||
    buffer[1] !== 0 ||
    buffer[2] !== 0 ||
    buffer[3] !== 0 ||
    buffer[0]! > 2
  ) {
    return buffer.toString('utf8');
  }
  const parts: Buffer[] = [];
  let offset = 0;
  while (offset + 8 <= buffer.length) {
    const length = buffer.readUInt32BE(offset + 4);
    parts.push(buffer.subarray(offset + 8, offset + 8 + length));
    offset += 8 + length;
  }
  return Buffer.concat(parts).toString('utf8');
}

/** The container's stdout and stderr so far, interleaved; '' when it is gone. */
export async function readLogs(docker: Docker, id: string, tail?: number): Promise<string> {
  try {
    const output = (await docker.getContainer(id).logs({
      stdout: true,
      stderr: true,
      follow: false,
      ...(tail === undefined ? {} : { tail }),
    })) as unknown as Buffer;
    return demuxLogs(Buffer.isBuffer(output) ? output : Buffer.from(String(output)));
  } catch {
    return '';
  }
}
