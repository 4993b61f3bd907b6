// Each restart strategy as data: the one routine in restarter.ts reads these records, it
// never switches on a strategy's name.
import type { RestartStrategy } from './restart-plan.js';

/** How one strategy replaces an instance. */
export interface StrategyRecord {
  /** `'keep'`: every slot keeps its port; `'move'`: each moving slot takes another port. */
  readonly ports: 'keep' | 'move';
  /**
   * Who holds the listening socket: `'server'` (each instance binds its own) or
   * `'rebind'` (rebind binds it once and hands it to every instance: no bind at all).
   */
  readonly socket: 'server' | 'rebind';
  /** The new instance listens with SO_REUSEPORT (loopback only unless allowed). */
  readonly reuseport: boolean;
  /**
   * `'stop-then-start'`: the new instance starts once the old one is gone;
   * `'overlap'`: it starts while the old one stops, wherever the old one cannot block its
   * bind (its ports moved, both use SO_REUSEPORT, or both share rebind's socket), else
   * stop-then-start; `'in-place'`: the server reloads itself (the manager's `reload`).
   */
  readonly order: 'stop-then-start' | 'overlap' | 'in-place';
}

export const strategyRecords: Readonly<Record<RestartStrategy, StrategyRecord>> = {
  wait: { ports: 'keep', socket: 'server', reuseport: false, order: 'stop-then-start' },
  'fresh-port': { ports: 'move', socket: 'server', reuseport: false, order: 'overlap' },
  reuseport: { ports: 'keep', socket: 'server', reuseport: true, order: 'overlap' },
  inherit: { ports: 'keep', socket: 'rebind', reuseport: false, order: 'overlap' },
  reload: { ports: 'keep', socket: 'server', reuseport: false, order: 'in-place' },
};
