// A plain GET on a fresh connection (no keep-alive: each answer is from the instance the
// URL names now): the body as received. Shared by the projects run on a "host".
import { request } from 'node:http';

export function get(url) {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve(body));
    });
    req.on('error', reject);
    req.end();
  });
}
