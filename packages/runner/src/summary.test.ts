import { expect, it } from 'vitest';
import { resolveServices } from './declaration.js';
import { formatSummary } from './summary.js';

const services = resolveServices({
  services: {
    web: { nginx: {} },
    api: { command: { command: '/usr/bin/node', args: ['/app/server.js', '--x'] } },
  },
});

it('prints tests, restarts, the median restart, leftovers and what ran', () => {
  expect(
    formatSummary(
      { tests: 3, restarts: 3, restartMs: [4, 9, 5], slots: 1, addedMs: 15 },
      [],
      services,
    ),
  ).toBe(
    'rebind: 3 tests, 3 restarts, median restart 5.00 ms, added 5.00 ms per test, leftovers: 0 (web: nginx, api: node server.js)',
  );
});

it('says how many tests started on a ready standby', () => {
  expect(
    formatSummary(
      { tests: 3, restarts: 2, restartMs: [1, 1], slots: 1, addedMs: 3, prefetched: 1 },
      [],
    ),
  ).toBe(
    'rebind: 3 tests, 2 restarts (1 on a ready standby), median restart 1.00 ms, added 1.00 ms per test, leftovers: 0',
  );
});

it('names leftover pids, and says when nothing restarted', () => {
  expect(
    formatSummary({ tests: 1, restarts: 0, restartMs: [], slots: 1, addedMs: 0 }, [812, 813]),
  ).toBe(
    'rebind: 1 test, 0 restarts, no restart, added 0.00 ms per test, leftovers: 2 (pids 812, 813)',
  );
});

it('counts the run’s containers left in the engine or only in its containerd', () => {
  const stats = { tests: 2, restarts: 1, restartMs: [5], slots: 1, addedMs: 4 };
  expect(
    formatSummary(
      stats,
      [],
      [],
      [{ id: 'a'.repeat(64), name: 'rb-0123456789ab', where: 'containerd' }],
    ),
  ).toBe(
    'rebind: 2 tests, 1 restart, median restart 5.00 ms, added 2.00 ms per test, leftovers: 1 (container rb-0123456789ab in containerd only)',
  );
  expect(
    formatSummary(
      stats,
      [812],
      [],
      [
        { id: 'b'.repeat(64), name: 'rebind-1-ab-1-2', where: 'engine' },
        { id: 'a'.repeat(64), name: 'rb-0123456789ab', where: 'containerd' },
      ],
    ),
  ).toMatch(
    /leftovers: 3 \(pids 812; containers rebind-1-ab-1-2, rb-0123456789ab in containerd only\)$/,
  );
});
