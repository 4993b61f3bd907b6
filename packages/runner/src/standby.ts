// A declaration's `standby: true`: the manager's own `standby` option (nginx with
// 'fresh-port', a container on moving ports, a compose project as a project per instance on
// engine-picked ports, a command on its leased port), so that the
// restart between two tests is a swap. Checked with the declaration, before anything starts.
import { isRebindError, RebindError } from '@rebind/core';
import type { ResolvedService, ServiceOptionsByKind } from './declaration.js';

/** Whether the service keeps a standby: the declaration's `standby`, or its manager's own. */
export function hasStandby(service: ResolvedService): boolean {
  return service.standby || (service.options as { standby?: unknown }).standby === true;
}

/** The manager's options, with `standby: true` when the declaration asks for it. */
export function managerOptions<S extends ResolvedService>(
  service: S,
): ServiceOptionsByKind[S['kind']] {
  const options = service.options as ServiceOptionsByKind[S['kind']];
  return service.standby && service.kind !== 'command' ? { ...options, standby: true } : options;
}

/** Refuses a standby where it cannot help or cannot run (before any service starts). */
export function checkServiceStandby(service: ResolvedService): void {
  if (!hasStandby(service)) return;
  const at = `services.${service.name}`;
  if (service.pristine === 'shared')
    throw new RebindError(
      'REBIND_INVALID_OPTION',
      `The \`${at}.standby\` option cannot be used with \`pristine: 'shared'\`: a shared instance is never restarted between tests, so its standby would never be swapped in. Use \`pristine: 'per-test'\` (the default), or drop \`standby\`.`,
      { details: { option: `${at}.standby`, pristine: service.pristine } },
    );
}

/**
 * A manager's standby refusal ("The `standby` option needs ..."), naming the option where
 * the declaration has it: `services.web.standby`, or `services.web.nginx.standby` when the
 * manager's own option asked for it. Any other error is returned as it is.
 */
export function namingStandbyPath(error: unknown, service: ResolvedService): unknown {
  const match = /^The `standby` option(?: of \w+)? /.exec(
    isRebindError(error, 'REBIND_INVALID_OPTION') ? error.message : '',
  );
  if (match === null || !isRebindError(error)) return error;
  const option = service.standby
    ? `services.${service.name}.standby`
    : `services.${service.name}.${service.kind}.standby`;
  return new RebindError(
    'REBIND_INVALID_OPTION',
    `The \`${option}\` option ${error.message.slice(match[0].length)}`,
    { details: { ...error.details, option } },
  );
}

/**
 * How long a prefetched swap (the worker already runs its test on the standby) waits: the
 * swap and the work it leaves to the background (the next standby's start, the old
 * instance's stop) then run after the test's first request, not beside it. 5 ms; 10 ms
 * when the standby was ready 20 ms or more before the test started (a start that long
 * still fits in the test). Measured with vitest-overhead's standby rows on 2 cores: run at
 * once, that work made a test's first request to nginx 2-6 ms slower; waiting 10 ms
 * instead of 5 took the median overhead from 1.1-1.6 to 0.6-0.8 ms with 250 ms of work per
 * test, and raised it from 0.7-0.8 to 2.1-3.7 ms with 25 ms.
 */
export function prefetchedSwapDelay(spareMs: number): number {
  return spareMs >= 20 ? 10 : 5;
}
