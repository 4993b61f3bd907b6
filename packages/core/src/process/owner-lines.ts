// The owner's pipe, as the spawner and the watchdog read it: newline-terminated JSON lines
// on stdin, and its end (the owner exited or was killed) or failure.

/** Calls `line` with each whole line on stdin; `end` with what is left once stdin ends or fails. */
export function readOwnerLines(line: (text: string) => void, end: (rest: string) => void): void {
  let pending = '';
  process.stdin.setEncoding('utf8');
  process.stdin.on('data', (chunk: string) => {
    pending += chunk;
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const text of lines) line(text);
  });
  process.stdin.on('end', () => end(pending));
  process.stdin.on('error', () => end(''));
}
