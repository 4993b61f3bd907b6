/** The last `limit` characters of a process's output, combined and per stream. */
export class OutputTail {
  #all = '';
  #streams = { stdout: '', stderr: '' };

  constructor(readonly limit: number) {}

  push(chunk: string, stream: 'stdout' | 'stderr' = 'stdout'): void {
    this.#all = (this.#all + chunk).slice(-this.limit);
    this.#streams[stream] = (this.#streams[stream] + chunk).slice(-this.limit);
  }

  text(stream?: 'stdout' | 'stderr'): string {
    return stream === undefined ? this.#all : this.#streams[stream];
  }
}
