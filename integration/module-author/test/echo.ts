// The test API this suite uses: rebind's `test` with the echo module loaded in every nginx.
import { requireComponent } from '@rebind/test-support';
import { test as rebindTest, type NginxFixtureOptions } from '@rebind/vitest/test';

export const hasEcho = requireComponent('nginx', 'nginx-echo');

/** test-nginx's `--- main_config`, for every test of the suite. */
const nginxDefaults: NginxFixtureOptions = {
  mainConfig: 'load_module modules/ngx_http_echo_module.so;',
};
export const test = rebindTest.extend({ nginxDefaults });
