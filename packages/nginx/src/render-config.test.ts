import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseConfig } from './parse-config.js';
import { listenPorts, parseListen, renderConfig } from './render-config.js';

const dir = mkdtempSync(join(tmpdir(), 'rebind-render-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const base = {
  prefix: '/p',
  host: '127.0.0.1',
  mainPort: 41000,
  reuseport: false,
  extraReuseport: false,
  token: 'tok',
  tempPaths: ['client_body_temp_path', 'proxy_temp_path'],
  compiledPrefix: '/usr/share/nginx',
};

describe('parseListen', () => {
  it('reads the port of every listen form', () => {
    expect(
      ['80', '*:8080', '0.0.0.0:81', '[::]:82', '[::1]', 'localhost', 'unix:/s'].map(parseListen),
    ).toEqual([
      { port: 80, unix: false },
      { port: 8080, unix: false },
      { port: 81, unix: false },
      { port: 82, unix: false },
      { port: 80, unix: false },
      { port: 80, unix: false },
      { port: 0, unix: true },
    ]);
  });
});

describe('renderConfig', () => {
  it('rebinds listens, relocates logs and temp paths, keeps the user directives once, and maps lines back', () => {
    writeFileSync(
      join(dir, 'site.conf'),
      'server {\n  listen 8080;\n  listen [::]:8080;\n  location / { return 200; }\n}\n',
    );
    const text = [
      'user www-data;',
      'worker_processes 2;',
      'pid /run/nginx.pid;',
      'daemon on;',
      'events { worker_connections 64; }',
      'http {',
      '  access_log /var/log/nginx/access.log combined;',
      '  proxy_temp_path /var/lib/nginx/proxy 1 2;',
      '  server { listen 80 default_server; root /srv; }',
      '  include site.conf;',
      '}',
    ].join('\n');
    const directives = parseConfig(text, '/etc/nginx/nginx.conf', dir);
    expect(listenPorts(directives)).toEqual([80, 8080]);
    const { text: rendered, lines } = renderConfig(directives, {
      ...base,
      portMap: new Map([
        [80, 41000],
        [8080, 41001],
      ]),
      reuseport: true,
    });
    expect(rendered).toBe(
      [
        'daemon off;',
        'pid "/p/logs/nginx.pid";',
        'error_log "/p/logs/error.log";',
        'user www-data;',
        'worker_processes 2;',
        'events {',
        '    worker_connections 64;',
        '}',
        'http {',
        '    client_body_temp_path "/p/temp/client_body";',
        '    access_log "/p/logs/access.log" combined;',
        '    proxy_temp_path "/p/temp/proxy" 1 2;',
        '    server {',
        '        listen 127.0.0.1:41000 default_server reuseport;',
        '        root /srv;',
        '    }',
        '    server {',
        '        listen 127.0.0.1:41001;',
        '        location / {',
        '            return 200;',
        '        }',
        '    }',
        '    server {',
        '        listen 127.0.0.1:41000;',
        '        server_name rebind-ready.invalid;',
        '        location = /.rebind-ready {',
        '            access_log off;',
        '            default_type text/plain;',
        '            return 200 "tok";',
        '        }',
        '    }',
        '}',
        '',
      ].join('\n'),
    );
    expect(lines[3]).toEqual({ file: '/etc/nginx/nginx.conf', line: 1 });
    expect(lines[17]).toEqual({ file: join(dir, 'site.conf'), line: 2 });
    expect(lines[19]).toEqual({ file: join(dir, 'site.conf'), line: 4 });
  });

  it("writes a standby instance's pid, error log and access log to its own files, and keeps your own access_log", () => {
    const files = {
      pidPath: '/p/logs/nginx-2.pid',
      errorLogPath: '/p/logs/error-2.log',
      accessLogPath: '/p/logs/access-2.log',
    };
    const render = (text: string) =>
      renderConfig(parseConfig(text, '/etc/nginx/nginx.conf', dir), {
        ...base,
        portMap: new Map([[80, 41000]]),
        ...files,
      }).text;
    const plain = render('http { server { location / { return 204; } } }');
    expect(plain).toContain('pid "/p/logs/nginx-2.pid";\nerror_log "/p/logs/error-2.log";\n');
    expect(plain).toContain('http {\n    access_log "/p/logs/access-2.log";\n');
    expect(plain.match(/access_log/g)).toHaveLength(2); // rebind's, and off for readiness
    const own = render('http { access_log /var/log/nginx/mine.log combined; server { } }');
    expect(own).toContain('    access_log "/p/logs/mine.log" combined;\n');
    expect(own).not.toContain('access-2.log');
  });

  it('serves the token on a per-instance unix socket when one is given', () => {
    const directives = parseConfig('location / { return 204; }', '<snippet>', dir);
    const { text } = renderConfig(
      [
        {
          name: 'http',
          args: [],
          file: '<rebind>',
          line: 0,
          block: [{ name: 'server', args: [], file: '<rebind>', line: 0, block: directives }],
        },
      ],
      { ...base, portMap: new Map([[80, 41000]]), readySocket: '/p/ready-tok.sock' },
    );
    expect(text).toContain(
      '    server {\n        listen unix:/p/ready-tok.sock;\n        location = /.rebind-ready {\n            access_log off;\n            default_type text/plain;\n            return 200 "tok";\n        }\n    }\n}\n',
    );
    expect(text).not.toContain('server_name');
  });
});
