/**
 * Prediction latency of a Model folder from raw rows on one tfjs backend, and where the time
 * goes: the whole predictRows call (rows checked, transform applied, inputs laid out, model run,
 * classes named) and the part before the model (rows to model inputs). Prints one JSON line.
 * One backend per process: tfjs keeps one kernel registry per process.
 *
 *   node --import tsx bench/lib/inference-run.ts '{"backend":"tfjs-backend-wasm","model":"/tmp/m","rows":"/tmp/rows.json"}'
 */
import fs from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../../src/ml/backend.js';
import { modelInputsOf } from '../../src/ml/model-predictor.js';
import { rawBatchFromInstances } from '../../src/ml/raw-instances.js';
import { applyTransform } from '../../src/ml/transform/index.js';
import { predictorOfFolder } from '../../test/helpers/penguin-model.js';

export interface InferenceSpec {
  /** a TSFX_TF_BACKEND value: tfjs-node, tfjs-backend-wasm, tfjs-backend-cpu */
  backend: string;
  /** the Model folder */
  model: string;
  /** a JSON file of raw rows (objects keyed by raw feature name) */
  rows: string;
  batches?: number[];
  /** timed calls per batch size (after as many warm-up calls, at most 200) */
  iterations?: number;
}

export interface LatencyFigures {
  batch: number;
  /** the whole predictRows call, ms */
  p50: number;
  p99: number;
  /** rows -> model inputs (check, transform, layout), ms */
  prepareP50: number;
}

export interface InferenceResult {
  backend: { name: string; package: string; reason: string };
  figures: LatencyFigures[];
}

const pct = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;

const spec = JSON.parse(process.argv[2] ?? '{}') as InferenceSpec;
const choice = await selectBackend({ env: { ...process.env, TSFX_TF_BACKEND: spec.backend } });
const wanted = { 'tfjs-node': 'tensorflow', 'tfjs-backend-wasm': 'wasm', 'tfjs-backend-cpu': 'cpu' }[spec.backend];
if (choice.name !== wanted)
  throw new Error(`selection landed on ${choice.name}, not ${spec.backend}: ${choice.reason}`);
const all = JSON.parse(fs.readFileSync(spec.rows, 'utf8')) as Record<string, unknown>[];
const predictor = await predictorOfFolder(spec.model);
const iterations = spec.iterations ?? 1000;

const figures: LatencyFigures[] = [];
for (const batch of spec.batches ?? [1, 64]) {
  // a different slice each call, wrapping around the rows, so no call repeats the last one's input
  const slices = Array.from({ length: Math.max(1, Math.floor(all.length / batch)) }, (_, i) =>
    Array.from({ length: batch }, (_, k) => all[(i * batch + k) % all.length]!),
  );
  const slice = (i: number) => slices[i % slices.length]!;
  for (let i = 0; i < Math.min(iterations, 200); i++) await predictor.predictRows(slice(i));
  const whole: number[] = [];
  for (let i = 0; i < iterations; i++) {
    const t0 = performance.now();
    await predictor.predictRows(slice(i));
    whole.push(performance.now() - t0);
  }
  const prepare: number[] = [];
  for (let i = 0; i < iterations; i++) {
    const t0 = performance.now();
    const raw = rawBatchFromInstances(predictor.signature.rawInputs, slice(i));
    modelInputsOf(predictor.signature, predictor.model, applyTransform(predictor.graph, raw));
    prepare.push(performance.now() - t0);
  }
  whole.sort((a, b) => a - b);
  prepare.sort((a, b) => a - b);
  figures.push({ batch, p50: pct(whole, 50), p99: pct(whole, 99), prepareP50: pct(prepare, 50) });
}
if (tf.memory().numTensors > predictor.model.weights.length + 8)
  throw new Error(`tensors leak: ${tf.memory().numTensors} alive after the runs`);
const result: InferenceResult = { backend: choice, figures };
console.log(JSON.stringify(result));
