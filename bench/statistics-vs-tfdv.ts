/**
 * StatisticsGen's engine against TFDV on the same data: a generated TFRecord of N tf.Examples
 * with 20 features (10 numeric, 10 strings of varied cardinality). tsfx is timed decoding the
 * TFRecord to Arrow and computing the statistics (and the statistics alone, from Arrow, which
 * is what StatisticsGen does on ExampleGen's shards), single shard and as 8 merged partials;
 * TFDV runs generate_statistics_from_tfrecord (DirectRunner) in its venv. Prints figures and
 * the ratio; asserts nothing.
 *
 *   node --import tsx bench/statistics-vs-tfdv.ts [--rows 1000000] [--no-tfdv]
 *
 * The scale is --rows 5000000 (TFDV takes many minutes there).
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs, promisify } from 'node:util';
import { table as textTable } from '../src/cli/format.js';
import { loadConfig } from '../src/config.js';
import { ExampleBatchBuilder } from '../src/io/columns.js';
import { encodeExample, readTfRecordExamples, type FeatureValues } from '../src/io/tf-example.js';
import { TfRecordWriter } from '../src/io/tfrecord.js';
import { accumulateTable, encodeStatistics, mergePartials, statisticsList } from '../src/stats/index.js';
import { TFDV_REQUIREMENTS } from '../test/helpers/python-pins.js';

const run = promisify(execFile);
const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { values } = parseArgs({
  options: { rows: { type: 'string', default: '1000000' }, 'no-tfdv': { type: 'boolean', default: false } },
});
const rows = Number(values.rows);

async function generate(file: string): Promise<void> {
  if (fs.existsSync(file)) return;
  fs.mkdirSync(path.dirname(file), { recursive: true });
  let seed = 7;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) >>> 0), seed / 2 ** 32);
  const w = await TfRecordWriter.open(`${file}.tmp`);
  for (let r = 0; r < rows; r++) {
    const f: Record<string, FeatureValues> = {};
    for (let i = 0; i < 5; i++) f[`int_${i}`] = { kind: 'int', values: rnd() < 0.05 ? [] : [Math.floor(rnd() * 10 ** (i + 1))] };
    for (let i = 0; i < 5; i++) f[`float_${i}`] = { kind: 'float', values: [(rnd() - 0.3) * 10 ** i] };
    // cardinalities 3 .. 30000: categorical to near-unique
    for (let i = 0; i < 10; i++) f[`str_${i}`] = { kind: 'bytes', values: [`v${Math.floor(rnd() * 3 * 3 ** i)}`] };
    await w.write(encodeExample(f));
    if (r % 200_000 === 0) process.stderr.write(`generating ${r}/${rows}\r`);
  }
  await w.close();
  fs.renameSync(`${file}.tmp`, file);
}

function tsfxSide(file: string) {
  return async () => {
    const t0 = performance.now();
    const b = new ExampleBatchBuilder();
    await readTfRecordExamples(file, b);
    const { table } = b.build();
    const t1 = performance.now();
    const one = accumulateTable(table);
    encodeStatistics(statisticsList([['train', one]]));
    const t2 = performance.now();
    const step = Math.ceil(table.numRows / 8);
    const parts = Array.from({ length: 8 }, (_, i) => accumulateTable(table.slice(i * step, (i + 1) * step)));
    encodeStatistics(statisticsList([['train', mergePartials(parts)]]));
    const t3 = performance.now();
    return { decodeMs: t1 - t0, statsMs: t2 - t1, shardedMs: t3 - t2, rssMb: process.resourceUsage().maxRSS / 1024 };
  };
}

const file = path.join(loadConfig().home, 'bench', `stats-${rows}.tfrecord`);
await generate(file);
const mb = fs.statSync(file).size / 2 ** 20;
const t = await tsfxSide(file)();
const lines: (string | number)[][] = [];
const rate = (ms: number) => Math.round(rows / (ms / 1000)).toLocaleString('en');
lines.push(['tsfx TFRecord -> Arrow -> statistics', ((t.decodeMs + t.statsMs) / 1000).toFixed(2), rate(t.decodeMs + t.statsMs), t.rssMb.toFixed(0)]);
lines.push(['tsfx statistics from Arrow (1 shard)', (t.statsMs / 1000).toFixed(2), rate(t.statsMs), '']);
lines.push(['tsfx statistics from Arrow (8 partials merged)', (t.shardedMs / 1000).toFixed(2), rate(t.shardedMs), '']);
let ratio = '';
if (!values['no-tfdv']) {
  const venv = await run('bash', [path.join(repo, 'scripts/python-venv.sh'), 'tfdv', ...TFDV_REQUIREMENTS], { cwd: repo, maxBuffer: 64 << 20 });
  const python = venv.stdout.trim().split('\n').pop()!;
  const out = await run(python, [path.join(repo, 'bench/statistics_tfdv.py'), file, `${file}.tfdv.pb`], { maxBuffer: 64 << 20 });
  const tfdv = JSON.parse(out.stdout.trim().split('\n').pop()!) as { seconds: number; max_rss_mb: number };
  lines.push(['TFDV generate_statistics_from_tfrecord (DirectRunner)', tfdv.seconds.toFixed(2), rate(tfdv.seconds * 1000), tfdv.max_rss_mb.toFixed(0)]);
  ratio = `tsfx/TFDV speed (TFRecord to statistics, both): ${((tfdv.seconds * 1000) / (t.decodeMs + t.statsMs)).toFixed(1)}x`;
}
console.log(`statistics: ${rows.toLocaleString('en')} tf.Examples x 20 features, ${mb.toFixed(0)} MB TFRecord, 1 process\n`);
console.log(textTable(['what', 'seconds', 'examples/s', 'peak RSS MB'], lines));
if (ratio) console.log(`\n${ratio}`);
