/**
 * `npm run chaos -- --faults 200 --seed 7`: the long chaos run. Prints each fault as it is
 * injected, then the counts: faults by kind, runs completed, invariant violations (listed).
 * Exits 1 when any invariant was violated or a run did not complete.
 */
import path from 'node:path';
import { Command } from 'commander';
import { figuresTable } from '../../src/cli/format.js';
import { runChaos } from './chaos.js';
import { chaosPorts } from './ports.js';

const program = new Command('chaos')
  .option('--faults <n>', 'faults to inject', '200')
  .option('--seed <n>', 'seed of the fault draw', String(Date.now() % 100_000))
  .option('--rows <n>', 'rows of generated data per run', '24000')
  .parse();
const o = program.opts<{ faults: string; seed: string; rows: string }>();

// Ctrl-C: stop drawing faults, then shut the chaos servers and workers down before exiting
const stop = new AbortController();
process.once('SIGINT', () => {
  console.log('stopping: no more faults; shutting the chaos servers down…');
  stop.abort();
});

const report = await runChaos({
  signal: stop.signal,
  faults: Number(o.faults),
  seed: Number(o.seed),
  rows: Number(o.rows),
  dir: path.resolve('.tsfx/chaos'),
  ports: chaosPorts('long'),
  log: (line) => console.log(line),
});
console.log(
  figuresTable(
    ['seed', 'faults', 'rounds', 'runs started', 'runs completed', 'violations', 'seconds'],
    [[report.seed, report.faultsInjected, report.rounds, report.runsStarted, report.runsCompleted, report.violations.length, report.seconds].map(String)],
  ),
);
console.log(`faults by kind: ${Object.entries(report.byKind).map(([k, n]) => `${k} ${n}`).join(', ')}`);
for (const v of report.violations) console.log(`VIOLATION ${v}`);
process.exitCode = report.violations.length || report.runsCompleted !== report.runsStarted ? 1 : 0;
