// The control channel over loopback HTTP: a per-run secret path. Every worker can reach
// it (it is the documented channel); workers use the unix socket when there is one.
import { createServer, type Server } from 'node:http';
import { unknownCall, type ControlAnswers } from './control-answers.js';
import { toWire } from './control-error.js';

/** Serves `POST /<secret>/<call>?slot=N[&...]` on 127.0.0.1 (a free port). */
export async function startControlHttp(
  answers: ControlAnswers,
  secret: string,
): Promise<{ server: Server; port: number }> {
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://control');
    const [, key, call] = url.pathname.split('/');
    const reply = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (key !== secret || call === undefined) {
      reply(404, { error: { message: unknownCall } });
      return;
    }
    let text = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (text += chunk));
    req.on('end', () => {
      let body: unknown;
      try {
        body = text === '' ? undefined : JSON.parse(text);
      } catch (error) {
        reply(500, { error: toWire(error) });
        return;
      }
      const slot = Number(url.searchParams.get('slot') ?? 1);
      void answers
        .dispatch({ call, slot, query: url.searchParams, body })
        .then(({ status, answer }) => reply(status, answer));
    });
  });
  // Workers keep their connections (client.ts), dropping idle ones after 4 s.
  server.keepAliveTimeout = 10_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  server.unref();
  const address = server.address();
  return { server, port: typeof address === 'object' && address !== null ? address.port : 0 };
}
