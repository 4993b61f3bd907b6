// Whether a Docker engine answers `/_ping` on a unix socket within a second (the private
// engines the fault and remote-engine suites start wait on this).
import { request } from 'node:http';

export function pingEngine(socketPath: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request({ socketPath, path: '/_ping', timeout: 1000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('error', () => resolve(false));
    req.on('timeout', () => req.destroy());
    req.end();
  });
}
