// The whole public surface of @rebind/nginx: explicit named exports only.
export { findNginx, parseNginxVersion } from './find-nginx.js';
export type { NginxBinary } from './find-nginx.js';
