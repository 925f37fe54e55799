/**
 * One tsfx measurement, run by bench/statistics-vs-tfdv.ts in a fresh process so its peak RSS
 * is its own:
 *   node --import tsx bench/lib/stats-mode.ts --out stats.pb [--workers W] [--repeats R] FILE…
 * --workers 0: one unit, in this thread, over the files in turn (one file = single shard);
 * --workers W: each file a unit on a pool of W worker threads, then one merge here.
 * Times partials + merge + TFMD encoding (best of R); writes the statistics; prints JSON.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import {
  decodePartial, encodeStatistics, mergePartials, statisticsList, type DatasetPartial,
} from '../../src/stats/index.js';
import { peakRssMb } from './peak-rss.js';
import { PartialPool } from './stats-pool.js';
import { filePartial } from './stats-unit.js';

export interface ModeResult {
  bestMs: number;
  /** of the best round: the part spent merging partials and encoding TFMD */
  mergeMs: number;
  peakRssMb: number;
  rows: number;
}

const { values, positionals: files } = parseArgs({
  allowPositionals: true,
  options: { out: { type: 'string' }, workers: { type: 'string', default: '0' }, repeats: { type: 'string', default: '1' } },
});
const workers = Number(values.workers);
const pool = workers > 0 ? await PartialPool.start(workers) : undefined;

async function once(): Promise<{ merged: DatasetPartial; bytes: Uint8Array; mergeMs: number }> {
  let merged: DatasetPartial;
  let t0: number;
  if (pool) {
    const parts = await pool.run(files);
    t0 = performance.now();
    merged = mergePartials(parts.map((b, i) => decodePartial(b, path.basename(files[i]!))));
  } else {
    const parts: DatasetPartial[] = [];
    for (const f of files) parts.push(await filePartial(f));
    t0 = performance.now();
    merged = parts.length === 1 ? parts[0]! : mergePartials(parts);
  }
  const bytes = encodeStatistics(statisticsList([['train', merged]]));
  return { merged, bytes, mergeMs: performance.now() - t0 };
}

let best = Infinity;
let mergeMs = 0;
let last: Awaited<ReturnType<typeof once>> | undefined;
for (let r = 0; r < Number(values.repeats); r++) {
  last = undefined; // let the previous round's partials go before the next is timed
  const t0 = performance.now();
  last = await once();
  const ms = performance.now() - t0;
  if (ms < best) [best, mergeMs] = [ms, last.mergeMs];
}
await pool?.close();
if (values.out) fs.writeFileSync(values.out, last!.bytes);
const result: ModeResult = { bestMs: best, mergeMs, peakRssMb: peakRssMb(), rows: last!.merged.numExamples };
console.log(JSON.stringify(result));
