// Newline-terminated JSON lines over a pipe, as the spawner and the watchdog read their
// owner's (stdin), and the owner reads the spawner's answers (its stdout).

/** Splits a stream's chunks into whole lines: `push` calls `line` with each; `rest` is what is left. */
export function lineSplitter(line: (text: string) => void): {
  push(chunk: string): void;
  rest(): string;
} {
  let pending = '';
  return {
    push(chunk) {
      pending += chunk;
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const text of lines) line(text);
    },
    rest: () => pending,
  };
}

/** Calls `line` with each whole line on stdin; `end` with what is left once stdin ends or fails. */
export function readOwnerLines(line: (text: string) => void, end: (rest: string) => void): void {
  const lines = lineSplitter(line);
  process.stdin.setEncoding('utf8');
  process.stdin.on('data', (chunk: string) => lines.push(chunk));
  process.stdin.on('end', () => end(lines.rest()));
  process.stdin.on('error', () => end(''));
}
