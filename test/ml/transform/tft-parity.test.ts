/**
 * The transform runtime against TensorFlow Transform itself (PyPI tensorflow-transform, Beam
 * DirectRunner, in a cached venv): the same generated rows (numbers with missing values, a
 * constant column, strings with tied frequencies, unicode and newline tokens) through the same
 * preprocessing, compared analyzer by analyzer and value by value.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seededRandom } from '../../../src/stats/synthetic.js';
import { fingerprint64 } from '../../../src/ml/transform/fingerprint64.js';
import { analyzeBatches, applyTransform, numberColumn, stringColumn, tracePreprocessing, type RawBatch, type TransformedBatch, type TransformGraph } from '../../../src/ml/transform/index.js';
import { TFT_REQUIREMENTS } from '../../helpers/python-pins.js';

const run = promisify(execFile);
const repo = fileURLToPath(new URL('../../../', import.meta.url));
const here = fileURLToPath(new URL('.', import.meta.url));

interface TftOut {
  outputs: Record<string, (number | number[])[]>;
  vocabularies: Record<string, string[]>;
  frequencies: [number, string][];
  fingerprints: string[];
}

const N = 3000;

/** Rows exactly representable in float32 (TFT reads float32), so differences are TFT's float32 arithmetic only. */
/** Strings of 0 to 300 UTF-8 bytes (ASCII and multi-byte), every length class of FarmHash. */
function fingerprintInputs(): string[] {
  const rnd = seededRandom(99);
  const chars = ['a', 'Z', '0', ' ', 'é', '日', '\u{1F600}'];
  const out: string[] = [];
  for (let len = 0; len <= 300; len++) {
    let s = '';
    while (new TextEncoder().encode(s).length < len) s += len % 3 ? 'q' : chars[Math.floor(rnd() * chars.length)]!;
    out.push(s);
  }
  return out;
}

function generate(): { x: (number | null)[]; y: number[]; c: number[]; s: string[]; t: string[]; fingerprints: string[] } {
  const rnd = seededRandom(20261201);
  const x = Array.from({ length: N }, () => (rnd() < 0.06 ? null : Math.fround(50 + 12 * (rnd() + rnd() + rnd() - 1.5))));
  const y = Array.from({ length: N }, () => Math.fround(-Math.log(1 - rnd()) * 3));
  const c = Array.from({ length: N }, () => 3.5);
  // tokens with tied counts (b, B, é, 日本 each 300; d and e 150), some rare ones, one with a newline
  const pool: [string, number][] = [['a', 700], ['b', 300], ['B', 300], ['é', 300], ['日本', 300], ['c', 250], ['d', 150], ['e', 150], ['rare-1', 3], ['rare-2', 3], ['new\nline', 5], [' sp ace', 2]];
  const s: string[] = [];
  for (const [tok, count] of pool) for (let i = 0; i < count; i++) s.push(tok);
  while (s.length < N) s.push(`tail-${s.length % 97}`);
  // shuffle (Fisher-Yates, seeded)
  for (let i = s.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [s[i], s[j]] = [s[j]!, s[i]!];
  }
  const t = Array.from({ length: N }, () => ['red', 'green', 'blue', 'teal'][Math.floor(rnd() * 4)]!);
  return { x, y, c, s, t, fingerprints: fingerprintInputs() };
}

const preprocessing = tracePreprocessing((f) => ({
  x_mean: f.mean('x'),
  x_var: f.variance('x'),
  x_filled_z: f.zScore(f.fillMissing('x', f.mean('x'))),
  y_z: f.zScore('y'),
  y_01: f.scale01('y'),
  y_mm: f.scaleMinMax('y', -1, 1),
  y_min: f.min('y'),
  y_max: f.max('y'),
  c_z: f.zScore('c'),
  c_01: f.scale01('c'),
  s_id: f.vocabulary('s'),
  s_top5_oov: f.vocabulary('s', { topK: 5, numOovBuckets: 3 }),
  s_thr: f.vocabulary('s', { frequencyThreshold: 300 }),
  s_hash: f.hashStrings('s', 1000),
  y_bucket: f.bucketize('y', 10),
  st_cross: f.cross(['s', 't'], 100),
  s_id_cross: f.cross(['s', f.vocabulary('s')], 50),
}));

let tft: TftOut;
let graph: TransformGraph;
let ours: TransformedBatch;
let work: string;
const data = generate();

beforeAll(async () => {
  work = mkdtempSync(path.join(tmpdir(), 'tsfx-tft-'));
  writeFileSync(path.join(work, 'data.json'), JSON.stringify(data));
  const venv = await run('bash', [path.join(repo, 'scripts/python-venv.sh'), 'tft', ...TFT_REQUIREMENTS], { cwd: repo, maxBuffer: 64 << 20 });
  const python = venv.stdout.trim().split('\n').pop()!;
  const py = await run(python, [path.join(here, 'tft_parity.py'), path.join(work, 'data.json'), work], {
    cwd: here,
    maxBuffer: 256 << 20,
    env: { ...process.env, TF_CPP_MIN_LOG_LEVEL: '3', CUDA_VISIBLE_DEVICES: '' },
  });
  tft = JSON.parse(py.stdout.trim().split('\n').pop()!) as TftOut;
  // three shards, as three Transform activities would see them
  const batch = (from: number, to: number): RawBatch => ({
    numRows: to - from,
    columns: {
      x: numberColumn(data.x.slice(from, to)),
      y: numberColumn(data.y.slice(from, to)),
      c: numberColumn(data.c.slice(from, to)),
      s: stringColumn(data.s.slice(from, to)),
      t: stringColumn(data.t.slice(from, to)),
    },
  });
  graph = analyzeBatches(preprocessing, () => [batch(0, 1000), batch(1000, 2200), batch(2200, N)]);
  ours = applyTransform(graph, batch(0, N));
}, 900_000);

afterAll(() => rmSync(work, { recursive: true, force: true }));

const col = (name: string) => Array.from(ours.columns[name]!.values as ArrayLike<number>);
const theirs = (name: string) => tft.outputs[name]! as number[];
const resultAt = (output: string, pick: (n: TransformGraph['spec']['nodes'][number]) => number) => graph.results[pick(graph.spec.nodes[graph.spec.outputs[output]!]!)]!;

function expectClose(a: number[], b: number[], rel: number): void {
  expect(a.length).toBe(b.length);
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!) / Math.max(1, Math.abs(b[i]!)));
  expect(worst).toBeLessThan(rel);
}

describe('transform runtime against TensorFlow Transform', () => {
  it('mean and biased variance of a feature with missing values, and the z-score of it filled with its mean (a second phase)', () => {
    expectClose(col('x_mean'), theirs('x_mean'), 1e-6);
    expectClose(col('x_var'), theirs('x_var'), 1e-5);
    expectClose(col('x_filled_z'), theirs('x_filled_z'), 1e-5);
  });

  it('zScore, scale01, scaleMinMax, min and max', () => {
    for (const name of ['y_z', 'y_01', 'y_mm', 'y_min', 'y_max']) expectClose(col(name), theirs(name), 1e-5);
  });

  it('a constant feature: zScore centres it, scale01 takes the sigmoid, as TFT', () => {
    expectClose(col('c_z'), theirs('c_z'), 1e-7);
    expectClose(col('c_01'), theirs('c_01'), 1e-6);
    expect(col('c_z').every((v) => v === 0)).toBe(true);
  });

  it('vocabulary: the same tokens in the same order (ties by bytes, newline tokens dropped), with frequencies', () => {
    const vocab = resultAt('s_id', (n) => (n.op === 'lookup' ? n.vocab : -1));
    expect(vocab.op).toBe('vocabulary');
    if (vocab.op !== 'vocabulary') return;
    expect(vocab.tokens).toEqual(tft.vocabularies.s_vocab);
    expect(vocab.tokens.map((t, i) => [vocab.frequencies[i], t])).toEqual(tft.frequencies);
    expect(col('s_id')).toEqual(theirs('s_id'));
  });

  it('topK with OOV buckets and frequencyThreshold with defaultValue give TFT ids, OOV hashes included', () => {
    const top5 = resultAt('s_top5_oov', (n) => (n.op === 'lookup' ? n.vocab : -1));
    expect(top5.op === 'vocabulary' && top5.tokens).toEqual(tft.vocabularies.s_top5);
    expect(col('s_top5_oov')).toEqual(theirs('s_top5_oov'));
    expect(new Set(col('s_top5_oov').filter((v) => v >= 5)).size).toBe(3);
    const thr = resultAt('s_thr', (n) => (n.op === 'lookup' ? n.vocab : -1));
    expect(thr.op === 'vocabulary' && thr.tokens).toEqual(tft.vocabularies.s_thr);
    expect(col('s_thr')).toEqual(theirs('s_thr'));
    expect(col('s_thr')).toContain(-1);
  });

  it('hashStrings and hashed crosses (strings x strings, strings x ids) equal TensorFlow ids', () => {
    expect(col('s_hash')).toEqual(theirs('s_hash'));
    expect(col('st_cross')).toEqual(theirs('st_cross'));
    expect(col('s_id_cross')).toEqual(theirs('s_id_cross'));
  });

  it('Fingerprint64 equals TensorFlow on strings of every length from 0 to 300 bytes', () => {
    const m = (1n << 63n) - 1n;
    expect(data.fingerprints.map((s) => (fingerprint64(s) % m).toString())).toEqual(tft.fingerprints);
  });

  it('bucketize: boundaries within the two sketches rank errors of TFT', () => {
    const q = resultAt('y_bucket', (n) => (n.op === 'applyBuckets' ? n.quantiles! : -1));
    if (q.op !== 'quantiles') throw new Error('not a quantiles result');
    const theirsB = (tft.outputs.y_bounds![0] as number[]).map(Number);
    expect(q.boundaries).toHaveLength(9);
    expect(theirsB).toHaveLength(9);
    const sorted = [...data.y].sort((a, b) => a - b);
    const rank = (v: number) => sorted.filter((y) => y <= v).length / N;
    // TFT's sketch has epsilon 0.01 (bucketize's default under 100 buckets), ours KLL_RANK_ERROR
    for (let i = 0; i < 9; i++) expect(Math.abs(rank(q.boundaries[i]!) - rank(theirsB[i]!))).toBeLessThanOrEqual(q.rankError + 0.01 + 1 / N);
    // and the ids follow the boundaries (few rows sit between two nearby boundaries)
    const ids = col('y_bucket');
    const differ = ids.filter((v, i) => v !== theirs('y_bucket')[i]).length;
    expect(differ / N).toBeLessThanOrEqual(2 * (q.rankError + 0.01));
  });
});
