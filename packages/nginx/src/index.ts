// The whole public surface of @rebind/nginx: explicit named exports only.
export { findNginx, parseNginxVersion } from './find-nginx.js';
export type { NginxBinary } from './find-nginx.js';
export { startNginx } from './start-nginx.js';
export type { StartNginxOptions } from './start-nginx.js';
export type { RestartNginxOptions, StartedNginx } from './started-nginx.js';
export { validateNginxOptions } from './validate-nginx-options.js';
export { READY_HOST, READY_PATH } from './render-config.js';
