import { basename } from 'node:path';
import type { ResolvedService } from './declaration.js';
import type { LeftoverContainer } from './leftover-containers.js';
import type { HostStats } from './service-host.js';

function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.ceil(sorted.length / 2) - 1] as number;
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

function describe(service: ResolvedService): string {
  if (service.kind !== 'command') return `${service.name}: ${service.kind}`;
  const { command, args = [] } = service.options as { command: string; args?: string[] };
  return `${service.name}: ${[command, ...args.slice(0, 1)].map((a) => basename(a)).join(' ')}`;
}

/**
 * `rebind: 20 tests, 19 restarts, median restart 4.81 ms, added 4.90 ms per test,
 * leftovers: 0 (web: nginx)`; with standbys `19 restarts (17 on a ready standby)`: the
 * tests that started on a standby the worker already knew was ready. "Added" is the time the host spent, per test, getting the
 * test's servers ready at its start (a restart it waited for, a test's own configuration).
 * Leftovers are the pids still alive and the run's containers still there, in the engine
 * or only in its containerd (`rb-0123456789ab in containerd only`).
 */
export function formatSummary(
  stats: HostStats,
  leftovers: readonly number[],
  services: readonly ResolvedService[] = [],
  containers: readonly LeftoverContainer[] = [],
): string {
  const m = median(stats.restartMs);
  const restart = Number.isNaN(m) ? 'no restart' : `median restart ${m.toFixed(2)} ms`;
  const prefetched = stats.prefetched ?? 0;
  const standby = prefetched === 0 ? '' : ` (${prefetched} on a ready standby)`;
  const added =
    stats.tests === 0 ? '' : `, added ${(stats.addedMs / stats.tests).toFixed(2)} ms per test`;
  const named = [
    ...(leftovers.length === 0 ? [] : [`pids ${leftovers.join(', ')}`]),
    ...(containers.length === 0
      ? []
      : [
          `${containers.length === 1 ? 'container' : 'containers'} ${containers
            .map((c) => (c.where === 'containerd' ? `${c.name} in containerd only` : c.name))
            .join(', ')}`,
        ]),
  ];
  const count = leftovers.length + containers.length;
  const left = count === 0 ? '0' : `${count} (${named.join('; ')})`;
  const what = services.length === 0 ? '' : ` (${services.map(describe).join(', ')})`;
  return `rebind: ${plural(stats.tests, 'test')}, ${plural(stats.restarts, 'restart')}${standby}, ${restart}${added}, leftovers: ${left}${what}`;
}
