// startRestartable(): the entry point of the one restart mechanism (the Restarter in
// restarter.ts, reading the strategy records in strategies.ts).
import { RebindError } from '../errors.js';
import { invalidOption, validatePort } from '../validate.js';
import type {
  RestartHooks,
  RestartStrategy,
  Restartable,
  RestartableOptions,
} from './restart-plan.js';
import { RestartPorts, validatePortSlots, type SlotRequest } from './restart-ports.js';
import { Restarter } from './restarter.js';

export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

export function validateStrategy(
  value: unknown,
  supported: readonly RestartStrategy[],
  name = 'restartStrategy',
): RestartStrategy {
  if (!supported.includes(value as RestartStrategy)) {
    throw invalidOption(name, `one of ${supported.map((s) => `'${s}'`).join(', ')}`, value);
  }
  return value as RestartStrategy;
}

function checkReuseport(name: string, host: string, allow: boolean | undefined): void {
  if (allow === true || isLoopback(host)) return;
  throw new RebindError(
    'REBIND_UNSAFE_REUSEPORT',
    `The 'reuseport' restart strategy was asked for ${name} on ${host}, a non-loopback address: with SO_REUSEPORT another local process of the same user could bind the port too and take part of the connections. Use a loopback host (the default 127.0.0.1), another strategy, or pass \`allowUnsafeReuseport: true\` if you accept the risk.`,
    { details: { host, strategy: 'reuseport' } },
  );
}

/** `standby` needs 'fresh-port' and moving ports: two instances cannot own one port. */
export function checkStandby(strategy: RestartStrategy, requests: readonly SlotRequest[]): void {
  if (strategy !== 'fresh-port') {
    throw new RebindError(
      'REBIND_INVALID_OPTION',
      `The \`standby\` option needs \`restartStrategy: 'fresh-port'\`, got \`restartStrategy: '${strategy}'\`: the standby waits on another port while the current instance serves, and '${strategy}' keeps one port. Use \`restartStrategy: 'fresh-port'\`, or drop \`standby\`.`,
      { details: { option: 'standby', strategy } },
    );
  }
  const fixed = requests.find((r) => typeof r !== 'string');
  if (fixed !== undefined) {
    const port = typeof fixed === 'number' ? fixed : fixed.first;
    throw new RebindError(
      'REBIND_INVALID_OPTION',
      `The \`standby\` option cannot be used with a fixed port (\`${port}\`): the standby and the current instance would both need it. Use \`port: 'auto'\` with \`restartStrategy: 'fresh-port'\`, or drop \`standby\`.`,
      { details: { option: 'standby', port } },
    );
  }
}

function slotRequests(options: RestartableOptions): readonly SlotRequest[] {
  if (options.ports !== undefined) return validatePortSlots(options.ports);
  if (options.port === undefined || options.port === 'auto') return ['auto'];
  return [{ first: validatePort(options.port) }];
}

/**
 * Starts an instance through `hooks` and returns a handle that restarts it with any
 * supported strategy. The one restart mechanism every rebind manager uses.
 */
export async function startRestartable<I>(
  hooks: RestartHooks<I>,
  options: RestartableOptions = {},
): Promise<Restartable<I>> {
  const host = options.host ?? '127.0.0.1';
  const strategy = validateStrategy(options.strategy ?? 'wait', hooks.strategies);
  const requests = slotRequests(options);
  const standby = options.standby === true;
  if (standby) checkStandby(strategy, requests);
  const lease = hooks.leasePort;
  const slots = new RestartPorts(
    host,
    requests,
    lease === undefined ? undefined : (h) => lease.call(hooks, h),
  );
  const restarter = new Restarter<I>({
    hooks,
    host,
    slots,
    strategy,
    checkReuseport: () => checkReuseport(hooks.name, host, options.allowUnsafeReuseport),
    validate: (value) => validateStrategy(value, hooks.strategies, 'strategy'),
    standby,
  });
  await restarter.begin(options.signal);
  return restarter;
}
