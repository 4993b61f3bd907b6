// The test API this suite uses: rebind's `test` with the echo module loaded in every nginx.
import { requireComponent } from '@rebind/test-support';
import { test as rebindTest } from '@rebind/vitest/test';

export const hasEcho = requireComponent('nginx', 'nginx-echo');

/** test-nginx's `--- main_config`, for every test of the suite. */
export const test = rebindTest.extend({
  nginxDefaults: { mainConfig: 'load_module modules/ngx_http_echo_module.so;' },
});
