// The control socket's framing, for both ends (control-socket.ts, socket-client.ts): one
// JSON value per newline-terminated line. Imports nothing: it is part of the worker side.

/** Returns a chunk handler that calls `line` with each whole, non-blank line. */
export function lineReader(line: (text: string) => void): (chunk: string) => void {
  let pending = '';
  return (chunk) => {
    pending += chunk;
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const text of lines) if (text.trim() !== '') line(text);
  };
}
