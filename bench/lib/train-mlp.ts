/**
 * Trains one small MLP on one tfjs backend, deterministically, and prints one JSON line: the
 * backend chosen (name, package, reason, versions), predictions on fixed probe rows, the final
 * weights, the fit time and peak RSS. One backend per process: tfjs keeps one registry of
 * kernels per process, and a native library once loaded stays loaded.
 *
 *   node --import tsx bench/lib/train-mlp.ts '{"backend":"tfjs-node","rows":2048,"epochs":3}'
 *
 * `backend` is a TSFX_TF_BACKEND value (tfjs-node, tfjs-backend-wasm, tfjs-backend-cpu); the run
 * fails if selection lands on another one. Data and initial weights come from a 32-bit LCG, not
 * from tfjs's random ops, so every backend (and bench/trainer_backends_keras.py) starts equal.
 * Used by test/ml/native-backend.test.ts (agreement) and bench/trainer-backends.ts (throughput).
 */
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../../src/ml/backend.js';
import { peakRssMb } from './peak-rss.js';

export interface TrainSpec {
  backend: string;
  rows: number;
  features?: number;
  hidden?: number[];
  batch?: number;
  epochs?: number;
  learningRate?: number;
  seed?: number;
  /** include the final weights in the output (the test compares them; the bench does not need them) */
  weights?: boolean;
}

export interface TrainResult {
  backend: { name: string; package: string; reason: string; versions: Record<string, string> };
  predictions: number[];
  weights?: number[][];
  loss: number[];
  fitSeconds: number;
  examplesPerSecond: number;
  peakRssMb: number;
}

/** Numerical Recipes' LCG, uniform in [-1, 1); the Keras baseline uses the same one. */
export function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return (s / 2 ** 32) * 2 - 1;
  };
}

/** y = a smooth non-linear function of x, so the hidden layers have something to learn. */
export function makeData(rows: number, features: number, seed: number): { x: Float32Array; y: Float32Array } {
  const rnd = lcg(seed);
  const x = new Float32Array(rows * features);
  const y = new Float32Array(rows);
  for (let i = 0; i < rows; i++) {
    let t = 0;
    for (let j = 0; j < features; j++) {
      const v = rnd();
      x[i * features + j] = v;
      t += (j % 2 ? 0.5 : -0.3) * v;
    }
    y[i] = Math.tanh(t) + 0.1 * x[i * features]! * x[i * features + 1]!;
  }
  return { x, y };
}

export async function trainMlp(spec: TrainSpec): Promise<TrainResult> {
  const { rows, features = 8, hidden = [64, 64], batch = 256, epochs = 1, learningRate = 0.05, seed = 42 } = spec;
  const choice = await selectBackend({ env: { ...process.env, TSFX_TF_BACKEND: spec.backend } });
  const versions: Record<string, string> = { 'tfjs-core': tf.version_core };
  if (choice.name === 'tensorflow') {
    const node = (await import(choice.package)) as { version: Record<string, string> };
    const name = choice.package.replace('@tensorflow/', '');
    versions[name] = node.version[name] ?? node.version['tfjs-node']!; // tfjs-node-gpu reports itself as tfjs-node
    versions.tensorflow = (tf.backend() as unknown as { binding: { TF_Version: string } }).binding.TF_Version;
  }
  const model = tf.sequential();
  hidden.forEach((units, i) =>
    model.add(tf.layers.dense({ units, activation: 'relu', ...(i === 0 ? { inputShape: [features] } : {}) })),
  );
  model.add(tf.layers.dense({ units: 1 }));
  // Glorot-uniform-scaled weights from the LCG, zero biases
  const rnd = lcg(seed + 1);
  model.setWeights(
    model.getWeights().map((w) => {
      if (w.shape.length === 1) return tf.zeros(w.shape);
      const [fanIn, fanOut] = w.shape as [number, number];
      const limit = Math.sqrt(6 / (fanIn + fanOut));
      return tf.tensor(Float32Array.from({ length: fanIn * fanOut }, () => rnd() * limit), w.shape);
    }),
  );
  model.compile({ optimizer: tf.train.sgd(learningRate), loss: 'meanSquaredError' });
  const data = makeData(rows, features, seed);
  const xs = tf.tensor2d(data.x, [rows, features]);
  const ys = tf.tensor2d(data.y, [rows, 1]);
  const t0 = performance.now();
  const history = await model.fit(xs, ys, { batchSize: batch, epochs, shuffle: false, verbose: 0 });
  const fitSeconds = (performance.now() - t0) / 1000;
  const probe = makeData(16, features, seed + 2);
  const predictions = Array.from((model.predict(tf.tensor2d(probe.x, [16, features])) as tf.Tensor).dataSync());
  return {
    backend: { name: choice.name, package: choice.package, reason: choice.reason, versions },
    predictions,
    weights: spec.weights ? model.getWeights().map((w) => Array.from(w.dataSync())) : undefined,
    loss: (history.history.loss as number[]).map(Number),
    fitSeconds,
    examplesPerSecond: (rows * epochs) / fitSeconds,
    peakRssMb: peakRssMb(),
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const spec = JSON.parse(process.argv[2] ?? '{}') as TrainSpec;
  const result = await trainMlp(spec);
  if (result.backend.package.replace('@tensorflow/', '') !== spec.backend) {
    console.error(`asked for ${spec.backend}, selection chose ${result.backend.package}: ${result.backend.reason}`);
    process.exit(1);
  }
  console.log(JSON.stringify(result));
}
