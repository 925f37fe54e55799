/**
 * Wall time of `tsfx` commands as a user types them, against a bare `node -e 0` start (the
 * floor: what the runtime itself costs): `--help` (loads every command's module), `runs`,
 * `cancel` of an unknown run, and a fully cached `run pipelines/penguin.ts` (everything a run
 * does besides its executors: loading, worker start, the workflow, shutdown). Median of N.
 *
 *   node --import tsx bench/cli-startup.ts [--repeats 5]
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { figuresTable } from '../src/cli/format.js';

const { values } = parseArgs({ options: { repeats: { type: 'string', default: '5' } } });
const repeats = Number(values.repeats);
const home = fs.mkdtempSync(path.join(os.tmpdir(), 'tsfx-bench-cli-'));
const env = { ...process.env, TSFX_HOME: home };

const wall = (args: string[], ok = true) => {
  const t = performance.now();
  try {
    execFileSync(process.execPath, args, { env, stdio: 'ignore' });
  } catch (err) {
    if (ok) throw err;
  }
  return performance.now() - t;
};
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const measure = (args: string[], ok = true) => median(Array.from({ length: repeats }, () => wall(args, ok)));

wall(['bin/tsfx.js', 'run', 'pipelines/penguin.ts']); // starts the dev server, fills the cache
const floor = measure(['-e', '0']);
const rows: [string, number][] = [
  ['node -e 0 (floor)', floor],
  ['tsfx --help', measure(['bin/tsfx.js', '--help'])],
  ['tsfx runs', measure(['bin/tsfx.js', 'runs'])],
  ['tsfx cancel <unknown run>', measure(['bin/tsfx.js', 'cancel', 'nope/none'], false)],
  ['tsfx run penguin (all cached)', measure(['bin/tsfx.js', 'run', 'pipelines/penguin.ts'])],
];
console.log(
  figuresTable(
    ['command', 'wall ms (median)', 'x floor'],
    rows.map(([name, ms]) => [name, ms.toFixed(0), (ms / floor).toFixed(1)]),
  ),
);
// the bench's own dev server (it started it, in its own TSFX_HOME) goes with it
wall(['bin/tsfx.js', 'server', 'stop'], false);
