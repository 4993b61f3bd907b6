import { createServer, type Server } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { answersToken, isTokenAnswer } from './ready-check.js';

const head =
  'HTTP/1.1 200 OK\r\nServer: nginx\r\nContent-Type: text/plain\r\nContent-Length: 6\r\nConnection: close\r\n\r\n';

describe('isTokenAnswer', () => {
  it('is true for status 200 with exactly the token as the body', () => {
    expect(isTokenAnswer(`${head}abc123`, 'abc123')).toBe(true);
  });
  it('is false for another token, another status, or a cut answer', () => {
    expect(isTokenAnswer(`${head}abc124`, 'abc123')).toBe(false);
    expect(isTokenAnswer(`${head.replace('200 OK', '404 Not Found')}abc123`, 'abc123')).toBe(false);
    expect(isTokenAnswer(head.slice(0, 40), 'abc123')).toBe(false);
    expect(isTokenAnswer('', 'abc123')).toBe(false);
  });
});

describe('answersToken', () => {
  const servers: Server[] = [];
  const dirs: string[] = [];
  afterEach(() => {
    for (const s of servers.splice(0)) s.close();
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  // A server on a unix socket that records the request and answers `answer`, then closes.
  async function serve(answer: string): Promise<{ socketPath: string; requests: string[] }> {
    const dir = mkdtempSync(join(tmpdir(), 'rebind-ready-'));
    dirs.push(dir);
    const socketPath = join(dir, 'ready.sock');
    const requests: string[] = [];
    const server = createServer((c) => {
      c.setEncoding('latin1');
      c.once('data', (request: string) => {
        requests.push(request);
        c.end(answer);
      });
    });
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(socketPath, resolve));
    return { socketPath, requests };
  }

  it('sends one HTTP/1.0 GET of the readiness path and reads the token from the answer', async () => {
    const { socketPath, requests } = await serve(`${head}tok123`);
    expect(await answersToken({ socketPath, token: 'tok123' })).toBe(true);
    expect(requests).toEqual(['GET /.rebind-ready HTTP/1.0\r\nHost: rebind-ready.invalid\r\n\r\n']);
  });

  it("is false for another instance's token, and when the socket does not exist yet", async () => {
    const { socketPath } = await serve(`${head}old456`);
    expect(await answersToken({ socketPath, token: 'tok123' })).toBe(false);
    expect(await answersToken({ socketPath: `${socketPath}.none`, token: 'tok123' })).toBe(false);
  });
});
