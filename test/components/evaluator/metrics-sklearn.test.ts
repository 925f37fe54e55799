/**
 * Cross-check: the Evaluator's metrics against scikit-learn 1.5.2 (its own venv) on the same
 * generated labels, predictions and weights, agreeing to 1e-6. Data has ties (predictions rounded
 * to 2 decimals), predictions of exactly 0 and 1 (log-loss clipping), zero weights and a class
 * that is never predicted (macro averages leave it out). Our side is computed in three chunks and
 * merged, so mergeability is checked too.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BinaryAccumulator,
  MulticlassAccumulator,
  RegressionAccumulator,
} from '../../../components/evaluator/metrics/index.js';
import { addRows, flatMetrics, newAccumulator, plotsOf, type MetricOptions, type SlicePlots } from '../../../components/evaluator/slice-metrics.js';
import { mulberry32 } from '../../../src/random.js';
import { SKLEARN_REQUIREMENTS } from '../../helpers/python-pins.js';

const run = promisify(execFile);
const repo = fileURLToPath(new URL('../../../', import.meta.url));
const here = fileURLToPath(new URL('.', import.meta.url));

const rand = mulberry32(20261201);
const gauss = (): number => Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
const weightsOf = (n: number): number[] => Array.from({ length: n }, () => (rand() < 0.1 ? 0 : 3 * rand()));

function binaryCase(n: number, weighted: boolean, round: boolean) {
  const labels: number[] = [];
  const predictions: number[] = [];
  for (let i = 0; i < n; i++) {
    const y = rand() < 0.35 ? 1 : 0;
    let p = 1 / (1 + Math.exp(-(gauss() + (y ? 1.2 : -0.4))));
    if (round) p = Math.round(p * 100) / 100;
    if (rand() < 0.01)
      p = y; // saturated, right
    else if (rand() < 0.005) p = 1 - y; // saturated, wrong: log loss only finite by clipping
    labels.push(y);
    predictions.push(p);
  }
  return {
    kind: 'binary',
    labels,
    predictions,
    weights: weighted ? weightsOf(n) : null,
    threshold: 0.5,
    thresholds: [0.1, 0.5, 0.73],
    calibrationBuckets: 10,
  };
}

function multiclassCase(n: number, numClasses: number) {
  const labels: number[] = [];
  const predictions: number[][] = [];
  for (let i = 0; i < n; i++) {
    const y = Math.floor(rand() * numClasses);
    // the last class scores low everywhere: never predicted, so its precision is undefined
    const logits = Array.from(
      { length: numClasses },
      (_, c) => gauss() + (c === y ? 1.5 : 0) - (c === numClasses - 1 ? 6 : 0),
    );
    const z = logits.reduce((a, b) => a + Math.exp(b), 0);
    labels.push(y);
    predictions.push(logits.map((l) => Math.exp(l) / z));
  }
  return { kind: 'multiclass', numClasses, classes: Array.from({ length: numClasses }, (_, c) => `c${c}`), topK: [1, 2, 3], labels, predictions, weights: weightsOf(n) };
}

function regressionCase(n: number) {
  const labels = Array.from({ length: n }, () => 1e4 + 3 * gauss()); // far from 0: R^2 must not cancel
  const predictions = labels.map((y) => y + 1.5 * gauss());
  return { kind: 'regression', labels, predictions, weights: weightsOf(n) };
}

const cases = {
  binaryTiesWeighted: binaryCase(3000, true, true),
  binaryUnweighted: binaryCase(1500, false, false),
  multiclass: multiclassCase(2000, 5),
  regression: regressionCase(2000),
};

type Case = (typeof cases)[keyof typeof cases];

/** The chunks of a case's arrays: three, merged back, so mergeability is checked too. */
function chunksOf(c: Case) {
  const n = c.labels.length;
  const cuts = [0, Math.floor(n / 3), Math.floor((2 * n) / 3), n];
  return [0, 1, 2].map((k) => ({ from: cuts[k]!, to: cuts[k + 1]! }));
}

/** What the Evaluator writes for a case: its flat metrics and plot data, from accumulators merged from three chunks. */
function evaluatorOutput(c: Case): { metrics: Record<string, number>; plots: SlicePlots } {
  const b = c as ReturnType<typeof binaryCase>;
  const mc = c as ReturnType<typeof multiclassCase>;
  const options: MetricOptions = {
    task: c.kind as MetricOptions['task'],
    ...(c.kind === 'multiclass' ? { classes: mc.classes, numClasses: mc.numClasses } : {}),
    decisionThresholds: b.thresholds ?? [0.5],
    topK: mc.topK ?? [],
    calibrationBuckets: b.calibrationBuckets ?? 10,
    curvePoints: Infinity,
  };
  const parts = chunksOf(c).map(({ from, to }) => {
    const acc = newAccumulator(options);
    const rows = Array.from({ length: to - from }, (_, i) => i);
    const width = c.kind === 'multiclass' ? mc.numClasses : 1;
    const values = c.kind === 'multiclass' ? mc.predictions.slice(from, to).flat() : (c.predictions as number[]).slice(from, to);
    const weights = c.weights ? Float64Array.from(c.weights.slice(from, to)) : undefined;
    addRows(acc, rows, Float64Array.from(c.labels.slice(from, to)), values, width, weights, (r) => `row ${from + r}`);
    return acc;
  });
  const [first, ...rest] = parts as BinaryAccumulator[];
  for (const p of rest) first!.merge(p);
  return { metrics: flatMetrics(first!, options).metrics, plots: plotsOf(first!, options) };
}

/** Numbers (and nulls) in a value: what the Evaluator outputs, so the comparison can be shown to cover all of it. */
function leaves(v: unknown): number {
  if (v === null || typeof v === 'number') return 1;
  if (typeof v !== 'object') return 0;
  return Object.values(v as Record<string, unknown>).reduce<number>((n, x) => n + leaves(x), 0);
}

/** Our metrics of a case, computed in three chunks and merged. */
function ours(c: Case): unknown {
  const n = c.labels.length;
  const cuts = [0, Math.floor(n / 3), Math.floor((2 * n) / 3), n];
  const chunk = <T>(xs: T[] | null, k: number): T[] | undefined => xs?.slice(cuts[k], cuts[k + 1]);
  const parts = [0, 1, 2].map((k) => {
    if (c.kind === 'binary') {
      const b = c as ReturnType<typeof binaryCase>;
      return new BinaryAccumulator(b).addBatch(chunk(b.labels, k)!, chunk(b.predictions, k)!, chunk(b.weights, k));
    }
    if (c.kind === 'multiclass') {
      const m = c as ReturnType<typeof multiclassCase>;
      return new MulticlassAccumulator(m).addBatch(chunk(m.labels, k)!, chunk(m.predictions, k)!, chunk(m.weights, k));
    }
    const r = c as ReturnType<typeof regressionCase>;
    return new RegressionAccumulator().addBatch(chunk(r.labels, k)!, chunk(r.predictions, k)!, chunk(r.weights, k));
  });
  const [a, b, d] = parts as [BinaryAccumulator, BinaryAccumulator, BinaryAccumulator];
  return a.merge(b).merge(d).result();
}

/** Asserts every number sklearn gave agrees with ours to 1e-6 (relative above 1); null in sklearn's JSON is NaN (or +inf: a curve's first threshold, null on our side too). */
function expectAgrees(actual: unknown, expected: unknown, at: string): number {
  if (expected === null && actual === null) return 1;
  if (expected === null || typeof expected === 'number') {
    expect(typeof actual, at).toBe('number');
    const a = actual as number;
    if (expected === null) expect(a, `${at}: sklearn says undefined`).toBeNaN();
    else
      expect(Math.abs(a - expected), `${at}: ours ${a}, sklearn ${expected}`).toBeLessThanOrEqual(
        1e-6 * Math.max(1, Math.abs(expected)),
      );
    return 1;
  }
  let compared = 0;
  for (const [key, value] of Object.entries(expected as Record<string, unknown>)) {
    compared += expectAgrees((actual as Record<string, unknown>)[key], value, `${at}.${key}`);
  }
  return compared;
}

let sklearn: Record<string, unknown>;
let sklearnEvaluator: Record<string, unknown>;
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'tsfx-metrics-'));
  const file = path.join(dir, 'cases.json');
  writeFileSync(file, JSON.stringify(cases));
  const venv = await run('bash', [path.join(repo, 'scripts/python-venv.sh'), 'sklearn', ...SKLEARN_REQUIREMENTS], {
    cwd: repo,
    maxBuffer: 64 << 20,
  });
  const python = venv.stdout.trim().split('\n').pop()!;
  const py = await run(python, [path.join(here, 'metrics-sklearn.py'), file], { cwd: here, maxBuffer: 64 << 20 });
  const parsed = JSON.parse(py.stdout.trim().split('\n').pop()!) as { library: Record<string, unknown>; evaluator: Record<string, unknown> };
  sklearn = parsed.library;
  sklearnEvaluator = parsed.evaluator;
}, 900_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('metrics agree with scikit-learn 1.5.2 to 1e-6', () => {
  for (const name of Object.keys(cases) as (keyof typeof cases)[]) {
    it(name, () => {
      const result = ours(cases[name]);
      const compared = expectAgrees(result, sklearn[name], name);
      // every metric sklearn computed was compared (binary 10 + 3 matrices x 5, multiclass 1 + 3 top-k + 2 x 5 per class + 4 averages + 25 cells, regression 7)
      expect(compared).toBe({ binary: 25, multiclass: 43, regression: 7 }[cases[name].kind]);
      // the data really exercises the edge paths it claims to
      if (name === 'multiclass') expect((result as { precision: number[] }).precision[4]).toBeNaN();
    });
  }

  it('the binary data has ties and zero weights (so the cross-check covers them)', () => {
    const c = cases.binaryTiesWeighted;
    expect(new Set(c.predictions).size).toBeLessThan(c.predictions.length / 10);
    expect(c.weights!.filter((w) => w === 0).length).toBeGreaterThan(100);
  });
});

describe('every metric and plot point the Evaluator outputs agrees with scikit-learn 1.5.2 to 1e-6', () => {
  for (const name of Object.keys(cases) as (keyof typeof cases)[]) {
    it(name, () => {
      const out = evaluatorOutput(cases[name]);
      const expected = sklearnEvaluator[name] as { metrics: Record<string, unknown>; plots: Record<string, unknown> };
      // the same metric names on both sides: nothing the Evaluator writes goes unchecked
      expect(Object.keys(out.metrics).sort()).toEqual(Object.keys(expected.metrics).sort());
      const compared = expectAgrees(out.metrics, expected.metrics, `${name}.metrics`);
      expect(compared).toBe(leaves(out.metrics));
      const plots = out.plots as Record<string, unknown>;
      // multiclass plots carry the class names beside the matrix: the names are not numbers
      if (plots.confusionMatrix) expect((plots.confusionMatrix as { classes: string[] }).classes).toEqual((cases[name] as { classes?: string[] }).classes);
      const numericPlots = plots.confusionMatrix ? { confusionMatrix: { matrix: (plots.confusionMatrix as { matrix: unknown }).matrix } } : plots;
      expect(Object.keys(numericPlots).sort()).toEqual(Object.keys(expected.plots).sort());
      for (const [k, v] of Object.entries(expected.plots)) {
        if (Array.isArray(v)) expect((numericPlots as Record<string, unknown[]>)[k], `${name}.plots.${k} length`).toHaveLength(v.length);
      }
      expect(expectAgrees(numericPlots, expected.plots, `${name}.plots`)).toBe(leaves(numericPlots));
    });
  }

  it('curves are thinned to curvePoints, ends kept, and stay points of the full curve', () => {
    const c = cases.binaryUnweighted;
    const acc = newAccumulator({ task: 'binary', decisionThresholds: [0.5], topK: [], calibrationBuckets: 10, curvePoints: 50 });
    addRows(acc, c.labels.map((_, i) => i), Float64Array.from(c.labels), c.predictions, 1, undefined, String);
    const thinned = plotsOf(acc, { task: 'binary', decisionThresholds: [0.5], topK: [], calibrationBuckets: 10, curvePoints: 50 });
    const full = (sklearnEvaluator.binaryUnweighted as { plots: { roc: { fpr: number; tpr: number }[] } }).plots.roc;
    expect(thinned.roc).toHaveLength(50);
    expect(thinned.roc![0]).toMatchObject({ threshold: null, fpr: 0, tpr: 0 });
    expect(thinned.roc!.at(-1)).toMatchObject({ fpr: 1, tpr: 1 });
    for (const p of thinned.roc!) expect(full.some((q) => Math.abs(q.fpr - p.fpr) < 1e-12 && Math.abs(q.tpr - p.tpr) < 1e-12)).toBe(true);
  });
});
