/**
 * The short chaos run inside `npm test`: a fixed seed, a handful of faults (worker kills and
 * pauses, dev-server and PostgreSQL restarts) against two stores on their own servers; every
 * invariant must hold and every run complete. `npm run chaos` runs the long version.
 */
import path from 'node:path';
import { expect, it } from 'vitest';
import { runChaos } from './chaos.js';
import { chaosPorts } from './ports.js';

it('a seeded run of faults loses, duplicates and crosses nothing', { timeout: 15 * 60_000 }, async () => {
  const report = await runChaos({
    faults: 8,
    seed: 20261201,
    rows: 12_000,
    dir: path.resolve('.tsfx/chaos-test'),
    ports: chaosPorts('test'),
    log: (line) => console.log(`[chaos] ${line}`),
  });
  expect(report.faultsInjected).toBe(8);
  expect(report.violations).toEqual([]);
  expect(report.runsCompleted).toBe(report.runsStarted);
  expect(report.runsStarted).toBeGreaterThanOrEqual(4);
});
