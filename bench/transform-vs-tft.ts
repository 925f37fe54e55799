/**
 * The transform runtime against TensorFlow Transform on the same generated data and the same
 * preprocessing: 20 features (10 numeric, 5 of them with missing values filled by their mean then
 * z-scored, 3 scaled to [0, 1], 2 bucketized; 10 strings of cardinality 3 .. 30000, 6 through
 * vocabularies, 2 of those with topK and OOV buckets, 4 hashed). tsfx analyses (all phases) and
 * applies in-process over 100k-row batches, as one Transform shard would; TFT runs
 * AnalyzeAndTransformDataset on Beam's DirectRunner (its defaults) over the first --tft-rows rows
 * (DirectRunner needs minutes per million rows). Prints rows/s of each and the ratio; asserts nothing.
 *
 *   node --import tsx bench/transform-vs-tft.ts [--rows 2000000] [--tft-rows 200000] [--no-tft]
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs, promisify } from 'node:util';
import { table } from '../src/cli/format.js';
import { analyzeBatches, analyzerPhases, applyTransform, tracePreprocessing, type RawBatch, type Tracer } from '../src/ml/transform/index.js';
import { seededRandom } from '../src/stats/synthetic.js';
import { TFT_REQUIREMENTS } from '../test/helpers/python-pins.js';

const run = promisify(execFile);
const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { values } = parseArgs({ options: { rows: { type: 'string', default: '2000000' }, 'tft-rows': { type: 'string', default: '200000' }, 'no-tft': { type: 'boolean', default: false } } });
const ROWS = Number(values.rows);
const TFT_ROWS = Math.min(ROWS, Number(values['tft-rows']));
const BATCH = 100_000;

const NUM = Array.from({ length: 10 }, (_, i) => `n${i}`);
const STR = Array.from({ length: 10 }, (_, i) => `s${i}`);
const CARD = [3, 10, 30, 100, 300, 1000, 3000, 10000, 20000, 30000];

/** Columns of the whole dataset (float32-exact numbers, so TFT reads the same values). */
function generate(rows: number) {
  const rnd = seededRandom(2026);
  const num = NUM.map((_, f) => {
    const values = new Float64Array(rows);
    const valid = new Uint8Array(rows).fill(1);
    for (let r = 0; r < rows; r++) {
      values[r] = Math.fround(f * 10 + rnd() * (f + 1) * 7);
      if (f < 5 && rnd() < 0.05) valid[r] = 0;
    }
    return { values, valid };
  });
  const str = STR.map((_, f) => {
    const pool = Array.from({ length: CARD[f]! }, (_, i) => `v${f}-${i}`);
    return Array.from({ length: rows }, () => pool[Math.floor(rnd() * rnd() * pool.length)]!);
  });
  return { num, str };
}

const preprocessing = (f: Tracer) => {
  const out: Record<string, ReturnType<Tracer['zScore']> | ReturnType<Tracer['vocabulary']>> = {};
  NUM.forEach((n, i) => {
    out[n] = i < 5 ? f.zScore(f.fillMissing(n, f.mean(n))) : i < 8 ? f.scale01(n) : f.bucketize(n, 10);
  });
  STR.forEach((s, i) => {
    out[s] = i < 2 ? f.vocabulary(s, { topK: 100, numOovBuckets: 10 }) : i < 6 ? f.vocabulary(s) : f.hashStrings(s, 1000);
  });
  return out;
};

function batches(data: ReturnType<typeof generate>, rows: number): RawBatch[] {
  const out: RawBatch[] = [];
  for (let from = 0; from < rows; from += BATCH) {
    const to = Math.min(rows, from + BATCH);
    const columns: RawBatch['columns'] = {};
    NUM.forEach((n, i) => {
      (columns as Record<string, unknown>)[n] = { kind: 'number', values: data.num[i]!.values.subarray(from, to), valid: data.num[i]!.valid.subarray(from, to) };
    });
    STR.forEach((s, i) => {
      (columns as Record<string, unknown>)[s] = { kind: 'string', values: data.str[i]!.slice(from, to) };
    });
    out.push({ numRows: to - from, columns });
  }
  return out;
}

function tsfx(data: ReturnType<typeof generate>, rows: number) {
  const bs = batches(data, rows);
  const spec = tracePreprocessing(preprocessing);
  const t0 = performance.now();
  const graph = analyzeBatches(spec, () => bs);
  const t1 = performance.now();
  let n = 0;
  for (const b of bs) n += applyTransform(graph, b).numRows;
  const t2 = performance.now();
  if (n !== rows) throw new Error(`applied ${n} rows, expected ${rows}`);
  return { analyzeS: (t1 - t0) / 1000, applyS: (t2 - t1) / 1000 };
}

async function tft(data: ReturnType<typeof generate>, rows: number): Promise<{ seconds: number; rows: number }> {
  const work = mkdtempSync(path.join(os.tmpdir(), 'tsfx-bench-tft-'));
  try {
    const cols: Record<string, unknown[]> = {};
    NUM.forEach((n, i) => {
      cols[n] = Array.from(data.num[i]!.values.subarray(0, rows), (v, r) => (data.num[i]!.valid[r] ? v : null));
    });
    STR.forEach((s, i) => {
      cols[s] = data.str[i]!.slice(0, rows);
    });
    writeFileSync(path.join(work, 'data.json'), JSON.stringify(cols));
    const venv = await run('bash', [path.join(repo, 'scripts/python-venv.sh'), 'tft', ...TFT_REQUIREMENTS], { cwd: repo, maxBuffer: 64 << 20 });
    const python = venv.stdout.trim().split('\n').pop()!;
    const py = await run(python, [path.join(repo, 'bench/transform_tft.py'), path.join(work, 'data.json'), work], { maxBuffer: 64 << 20, env: { ...process.env, TF_CPP_MIN_LOG_LEVEL: '3', CUDA_VISIBLE_DEVICES: '' } });
    return JSON.parse(py.stdout.trim().split('\n').pop()!) as { seconds: number; rows: number };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

const analyzerPhasesCount = analyzerPhases(tracePreprocessing(preprocessing)).length;
const fmt = (n: number, d = 0) => n.toLocaleString('en', { maximumFractionDigits: d, minimumFractionDigits: d });
process.stderr.write(`generating ${fmt(ROWS)} rows x 20 features\n`);
const data = generate(ROWS);
process.stderr.write('tsfx: analyze + apply\n');
const ours = tsfx(data, ROWS);
const oursRate = ROWS / (ours.analyzeS + ours.applyS);
const rowsOut: string[][] = [
  ['tsfx analyze (all phases)', fmt(ROWS), fmt(ours.analyzeS, 2), fmt(ROWS / ours.analyzeS), ''],
  ['tsfx apply', fmt(ROWS), fmt(ours.applyS, 2), fmt(ROWS / ours.applyS), ''],
  ['tsfx analyze + apply', fmt(ROWS), fmt(ours.analyzeS + ours.applyS, 2), fmt(oursRate), ''],
];
if (!values['no-tft']) {
  process.stderr.write(`TFT: AnalyzeAndTransformDataset on ${fmt(TFT_ROWS)} rows (DirectRunner)\n`);
  const t = await tft(data, TFT_ROWS);
  if (t.rows !== TFT_ROWS) throw new Error(`TFT transformed ${t.rows} rows, expected ${TFT_ROWS}`);
  const theirs = TFT_ROWS / t.seconds;
  rowsOut[2]![4] = `${fmt(oursRate / theirs, 1)}x`;
  rowsOut.push(['TFT AnalyzeAndTransformDataset', fmt(TFT_ROWS), fmt(t.seconds, 2), fmt(theirs), '1.0x']);
}
console.log(`\n== transform: 20 features (5 fill+zScore, 3 scale01, 2 bucketize(10), 2 vocabulary topK 100 + 10 OOV, 4 vocabulary, 4 hashStrings(1000))`);
console.log(table(['run', 'rows', 'wall s', 'rows/s', 'tsfx/TFT'], rowsOut));
console.log(`tsfx: one process, one thread, ${BATCH}-row batches, ${analyzerPhasesCount} analysis passes over the data; TFT: Beam DirectRunner defaults, pipeline wall time (imports and input dicts excluded); ${os.availableParallelism()} cores, load ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
