// The worker side of a test's own server (Vitest fixtures, Jest's helper): asks the main
// process to start or restart this slot's instance with the test's options, and reads
// its error and access logs. Imports nothing but the control client.
import { askControl, type ServiceEndpoint } from './client.js';
import { fromWire } from './control-error.js';

/** The kinds of service (declaration.ts has the same list; this module imports only the client, and is built as CommonJS too). */
export type ServiceKind = 'nginx' | 'container' | 'compose' | 'command';
const serviceKinds: readonly ServiceKind[] = ['nginx', 'container', 'compose', 'command'];

/** Where a test's server runs; it changes with each `restart()`. */
export interface TestServer extends ServiceEndpoint {
  /** nginx only: the current instance's lines of its error log (this test's lines). */
  errorLog(): Promise<string>;
  /** nginx only: the current instance's lines of its access log (the requests it served). */
  accessLog(): Promise<string>;
  /** Restarts it, with new options if given (nginx: same port, new configuration). */
  restart(options?: Readonly<Record<string, unknown>>): Promise<void>;
}

/** The worker's channel to the main process, and whether a test is running. */
export interface TestServerContext {
  readonly control: string;
  /** The control channel's unix socket, when the main process has one (faster calls). */
  readonly socket?: string;
  readonly slot: number;
  /** The name of the helper, for messages: `the \`nginx\` fixture`. */
  readonly holder: string;
  /** False once the test that asked has finished. */
  readonly active: () => boolean;
  /** Applied to the options of a `restart(options)` (the fixtures merge their defaults). */
  readonly prepare?: (
    options: Readonly<Record<string, unknown>>,
  ) => Readonly<Record<string, unknown>>;
}

const invalid = (message: string) => fromWire({ message, code: 'REBIND_INVALID_OPTION' });

function checkActive(context: TestServerContext): void {
  if (!context.active())
    throw invalid(
      `${context.holder} was used outside a test: its server belongs to the test that asked for it. Call it inside a test (or a beforeEach hook), and keep the handle no longer than that test.`,
    );
}

/** Starts or restarts this slot's `kind` instance with `options`; resolves to its handle. */
export async function startTestServer(
  context: TestServerContext,
  kind: ServiceKind,
  options: Readonly<Record<string, unknown>>,
): Promise<TestServer> {
  checkActive(context);
  if (!serviceKinds.includes(kind))
    throw invalid(
      `Expected the service kind to be one of ${serviceKinds.map((k) => `'${k}'`).join(', ')}, got \`${String(kind)}\` (${typeof kind}).`,
    );
  if (typeof options !== 'object' || options === null || Array.isArray(options))
    throw invalid(
      `Expected the \`${kind}\` options to be an object, got \`${JSON.stringify(options)}\`.`,
    );
  const configure = async (next: Readonly<Record<string, unknown>>) => {
    const answer = await askControl(context, 'configure', context.slot, {
      kind,
      options: next,
    });
    return answer.endpoint as ServiceEndpoint;
  };
  let current = options;
  let endpoint = await configure(current);
  const server: TestServer = {
    get service() {
      return endpoint.service;
    },
    get slot() {
      return endpoint.slot;
    },
    get host() {
      return endpoint.host;
    },
    get port() {
      return endpoint.port;
    },
    get ports() {
      return endpoint.ports;
    },
    get url() {
      return endpoint.url;
    },
    get token() {
      return endpoint.token;
    },
    get pid() {
      return endpoint.pid;
    },
    get prefix() {
      return endpoint.prefix;
    },
    async errorLog() {
      checkActive(context);
      if (kind !== 'nginx') throw invalid(`errorLog() is for nginx; this server is a ${kind}.`);
      return (await askControl(context, 'error-log', context.slot)).log ?? '';
    },
    async accessLog() {
      checkActive(context);
      if (kind !== 'nginx') throw invalid(`accessLog() is for nginx; this server is a ${kind}.`);
      return (await askControl(context, 'access-log', context.slot)).log ?? '';
    },
    async restart(next) {
      checkActive(context);
      if (next !== undefined) current = context.prepare?.(next) ?? next;
      endpoint = await configure(current);
    },
  };
  return server;
}
