/**
 * The statistics engine on flights-200k.arrow (vega-datasets): one pass over the table vs.
 * 8 shard partials (each serialized as an activity would hand it on) decoded and merged.
 * Each mode runs in a fresh process so its peak RSS is its own. Prints figures only.
 *
 *   node --import tsx bench/statistics.ts [--repeats 3] [--file path/to.arrow]
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { tableFromIPC } from 'apache-arrow';
import { table as formatTable } from '../src/cli/format.js';
import { peakRssMb } from './lib/peak-rss.js';
import { accumulateTable, decodePartial, encodePartial, encodeStatistics, mergePartials, statisticsList } from '../src/stats/index.js';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { values } = parseArgs({
  options: {
    repeats: { type: 'string', default: '3' },
    file: { type: 'string', default: path.join(repo, 'node_modules/vega-datasets/data/flights-200k.arrow') },
    mode: { type: 'string' },
  },
});

interface Result {
  mode: string;
  rows: number;
  features: number;
  bestMs: number;
  peakRssMb: number;
  bytes: number;
}

function runMode(mode: string): Result {
  const table = tableFromIPC(fs.readFileSync(values.file!));
  let best = Infinity;
  let bytes = 0;
  for (let r = 0; r < Number(values.repeats); r++) {
    const t0 = performance.now();
    let merged;
    if (mode === 'single') {
      merged = accumulateTable(table);
    } else {
      const per = Math.ceil(table.numRows / 8);
      const files = Array.from({ length: 8 }, (_, i) => encodePartial(accumulateTable(table.slice(i * per, (i + 1) * per), { source: `shard-${i}` })));
      merged = mergePartials(files.map((f, i) => decodePartial(f, `shard-${i}`)));
    }
    bytes = encodeStatistics(statisticsList([['train', merged]])).length;
    best = Math.min(best, performance.now() - t0);
  }
  return {
    mode, rows: table.numRows, features: table.numCols, bestMs: best, bytes,
    peakRssMb: peakRssMb(),
  };
}

if (values.mode) {
  console.log(JSON.stringify(runMode(values.mode)));
} else {
  const results: Result[] = ['single', 'fanout-8'].map((mode) => {
    const out = execFileSync(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), '--mode', mode, '--repeats', values.repeats!, '--file', values.file!], {
      encoding: 'utf8',
    });
    return JSON.parse(out.trim().split('\n').pop()!) as Result;
  });
  console.log(`statistics of ${path.basename(values.file!)} (best of ${values.repeats}, in-process, 1 core)`);
  console.log(
    formatTable(
      ['mode', 'rows', 'features', 'time ms', 'examples/s', 'peak RSS MB', 'stats bytes'],
      results.map((r) => [r.mode, r.rows, r.features, r.bestMs.toFixed(0), Math.round(r.rows / (r.bestMs / 1000)), r.peakRssMb.toFixed(0), r.bytes]),
    ),
  );
}
