import { RebindError } from '@rebind/core/errors';
import {
  fromWire,
  type ControlReply,
  type Endpoints,
  type ServiceEndpoint,
} from '@rebind/runner/client';

// Kept on globalThis: the setup file and the test file may load separate copies of this
// module (inlined vs externalised), and both must see the same endpoints.
const key = Symbol.for('rebind.vitest.endpoints');
type Holder = { [key]?: ControlReply };

export function setEndpoints(reply: ControlReply): void {
  (globalThis as Holder)[key] = reply;
}

/**
 * The current endpoint of a declared service for this test: its `url`, `host`, `port`,
 * `ports` and instance `token`. With `pristine: 'per-test'` it changes before each test.
 */
export function endpoint(service: string): ServiceEndpoint {
  const reply = (globalThis as Holder)[key];
  if (reply === undefined)
    throw new RebindError(
      'REBIND_NOT_SET_UP',
      'rebind: no endpoints in this worker. Add `rebind({ services })` to `plugins` in vitest.config and call endpoint() inside a test or hook.',
    );
  const { endpoints, failed } = reply;
  // The service could not be started for this test (the Docker engine did not answer).
  const failure = failed[service];
  if (failure !== undefined) throw fromWire(failure);
  const found = endpoints[service];
  if (found === undefined)
    throw new RebindError(
      'REBIND_INVALID_OPTION',
      `rebind: no service \`${service}\`. Declared services: ${Object.keys(endpoints)
        .map((s) => `\`${s}\``)
        .join(', ')}.`,
      { details: { option: 'service', value: service, declared: Object.keys(endpoints) } },
    );
  return found;
}

/** Every running service's current endpoint, by name (a service that failed to start is absent: endpoint() throws its error). */
export function endpoints(): Endpoints {
  return (globalThis as Holder)[key]?.endpoints ?? {};
}
