/**
 * StatisticsGen's engine against TFDV on the same data, for two datasets:
 *   generated  N tf.Examples x 20 features (10 numeric, 10 strings of cardinality 3 .. 59049)
 *   flights    flights-200k.arrow from vega-datasets, converted once to tf.Examples
 * tsfx is timed from the TFRecord (decode + statistics, comparable with TFDV end to end) and
 * from Arrow (statistics only: what StatisticsGen runs on ExampleGen's shards), each as one
 * shard in one thread and fanned out: the same rows as S shard files, each a unit on a pool of
 * W worker threads, merged at the end. Every tsfx run is a fresh process (its own peak RSS).
 * TFDV runs generate_statistics_from_tfrecord (DirectRunner, its defaults) on the TFRecord.
 * Prints figures, the tsfx/TFDV throughput ratio and whether the counts agree; asserts nothing.
 *
 *   node --import tsx bench/statistics-vs-tfdv.ts [--dataset generated|flights|both]
 *     [--rows 5000000] [--shards 8] [--workers <cores>] [--repeats R] [--no-tfdv]
 *
 * Data is prepared once under $TSFX_HOME/bench/stats-*; TFDV takes minutes at 5M rows.
 */
import { execFile } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs, promisify } from 'node:util';
import { table as textTable } from '../src/cli/format.js';
import { loadConfig } from '../src/config.js';
import { prepareDataset, type DatasetName, type PreparedDataset } from './lib/stats-data.js';
import { AGREE_WHAT, disagreements } from './lib/stats-agree.js';
import type { ModeResult } from './lib/stats-mode.js';
import { runTfdv, tfdvPython, type TfdvResult } from './lib/tfdv-run.js';

const run = promisify(execFile);
const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { values } = parseArgs({
  options: {
    dataset: { type: 'string', default: 'both' },
    rows: { type: 'string', default: '5000000' },
    shards: { type: 'string', default: '8' },
    workers: { type: 'string', default: String(os.availableParallelism()) },
    repeats: { type: 'string' },
    'no-tfdv': { type: 'boolean', default: false },
  },
});
if (!['generated', 'flights', 'both'].includes(values.dataset!)) throw new Error(`--dataset: generated, flights or both, not '${values.dataset}'`);
const names: DatasetName[] = values.dataset === 'both' ? ['generated', 'flights'] : [values.dataset as DatasetName];
const shards = Number(values.shards);
const workers = Number(values.workers);

interface Run {
  what: string;
  input: string;
  units: string;
  ms: number;
  mergeMs: number;
  rssMb: number;
  out: string;
}

async function tsfx(args: string[], out: string, repeats: number): Promise<ModeResult> {
  const script = path.join(repo, 'bench/lib/stats-mode.ts');
  const { stdout } = await run(process.execPath, ['--import', 'tsx', script, '--out', out, '--repeats', String(repeats), ...args], {
    cwd: repo, maxBuffer: 64 << 20,
  });
  return JSON.parse(stdout.trim().split('\n').pop()!) as ModeResult;
}

async function measure(d: PreparedDataset, repeats: number): Promise<Run[]> {
  const dir = path.dirname(d.tfrecord);
  const modes = [
    { what: 'tsfx single shard', input: 'TFRecord: decode + stats', units: '1, main thread', args: ['--workers', '0', d.tfrecord] },
    { what: 'tsfx fanned out', input: 'TFRecord: decode + stats', units: `${shards}, ${workers} worker threads`, args: ['--workers', String(workers), ...d.tfrecordShards] },
    { what: 'tsfx single shard', input: 'Arrow: stats', units: '1, main thread', args: ['--workers', '0', d.arrow] },
    { what: 'tsfx fanned out', input: 'Arrow: stats', units: `${shards}, ${workers} worker threads`, args: ['--workers', String(workers), ...d.arrowShards] },
  ];
  const runs: Run[] = [];
  for (const [i, m] of modes.entries()) {
    process.stderr.write(`${d.name}: ${m.what}, ${m.input}\n`);
    const out = path.join(dir, `tsfx-${i}.pb`);
    const r = await tsfx(m.args, out, repeats);
    if (r.rows !== d.rows) throw new Error(`${m.what} (${m.input}) saw ${r.rows} rows, expected ${d.rows}`);
    runs.push({ ...m, ms: r.bestMs, mergeMs: r.mergeMs, rssMb: r.peakRssMb, out });
  }
  return runs;
}

const fmt = (n: number, digits = 0) => n.toLocaleString('en', { maximumFractionDigits: digits, minimumFractionDigits: digits });
const load = () => os.loadavg().map((l) => l.toFixed(2)).join(' ');

async function report(d: PreparedDataset, python: string | undefined): Promise<void> {
  const repeats = Number(values.repeats ?? (d.rows < 1_000_000 ? 3 : 1));
  const loadBefore = load();
  const runs = await measure(d, repeats);
  let tfdv: TfdvResult | undefined;
  const tfdvOut = path.join(path.dirname(d.tfrecord), 'tfdv.pb');
  if (python) {
    process.stderr.write(`${d.name}: TFDV\n`);
    tfdv = await runTfdv(python, repo, d.tfrecord, tfdvOut);
  }
  const rate = (ms: number) => d.rows / (ms / 1000);
  const rows = runs.map((r) => [
    r.what, r.input, r.units, fmt(r.ms / 1000, 2), fmt(rate(r.ms)), fmt(r.rssMb), tfdv ? `${fmt(rate(r.ms) / rate(tfdv.seconds * 1000), 1)}x` : '',
  ]);
  if (tfdv) rows.push(['TFDV (DirectRunner)', 'TFRecord: decode + stats', '1 pipeline', fmt(tfdv.seconds, 2), fmt(rate(tfdv.seconds * 1000)), fmt(tfdv.peakRssMb), '1.0x']);

  console.log(`\n== ${d.name}: ${fmt(d.rows)} rows x ${d.featureCount} features (${d.features}); TFRecord ${fmt(d.tfrecordMb)} MB, Arrow ${fmt(d.arrowMb)} MB`);
  console.log(textTable(['run', 'input', 'units', 'wall s', 'examples/s', 'peak RSS MB', 'tsfx/TFDV'], rows));
  const merges = runs.filter((r) => r.what.includes('fanned')).map((r) => `${fmt(r.mergeMs / 1000, 2)} s (${r.input.split(':')[0]})`);
  console.log(`tsfx: best of ${repeats}; each run a fresh process; wall = partials + merge + TFMD encode (process start and worker start excluded); fan-out: ${shards} shard files on a worker_threads pool of ${workers} (${os.availableParallelism()} cores), merge + encode of the partials took ${merges.join(', ')}; TFRecord reads also check crcs on a helper thread`);
  if (tfdv) console.log(`TFDV: ${fmt(tfdv.examples)} examples, wall = generate_statistics_from_tfrecord only (imports excluded); peak RSS from ${tfdv.rssFrom}`);
  const against = tfdv ? tfdvOut : runs[0]!.out;
  const bad = (tfdv ? runs : runs.slice(1)).flatMap((r) => disagreements(r.out, against).map((m) => `${r.what} (${r.input}) ${m}`));
  console.log(`agree${tfdv ? ' with TFDV' : ' (tsfx runs, no TFDV)'}: ${bad.length === 0 ? 'yes' : 'NO'} (${AGREE_WHAT})`);
  for (const m of bad.slice(0, 10)) console.log(`  ${m}`);
  console.log(`load average (1/5/15 min) before: ${loadBefore}, after: ${load()}`);
}

const home = loadConfig().home;
const python = values['no-tfdv'] ? undefined : await tfdvPython(repo);
for (const name of names) {
  const d = await prepareDataset(name, Number(values.rows), shards, home, repo);
  await report(d, python);
}
