/**
 * A model trained and saved in Node (src/ml/fs-model-io.ts's folder), loaded by the browser bundle
 * in headless Chromium over HTTP from 127.0.0.1, predicting from raw rows through a transform:
 * the same numbers as Node, on wasm, cpu and webgl, and no request leaves the test's server.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBackend } from '../../src/ml/backend.js';
import { type BrowserBackendName } from '../../src/ml/browser/index.js';
import { saveModel } from '../../src/ml/fs-model-io.js';
import { browserBundle } from '../helpers/browser-bundle.js';
import {
  type Harness,
  WASM_PREFIX,
  findChromium,
  launchChromium,
  openHarness,
  type TsfxGlobal,
} from '../helpers/browser.js';
import type * as BundleEntry from './fixtures/bundle-entry.js';
import { fitToy, type RawRow, type ToyParams, toyTransform } from './fixtures/toy-transform.js';
import { mulberry32 } from '../../src/random.js';

type Entry = typeof BundleEntry;
type Outputs = Record<string, { shape: number[]; values: number[] }>;

const ENTRY = path.join(import.meta.dirname, 'fixtures/bundle-entry.ts');
const ROWS = 300;
const TOLERANCE = 1e-5;

/** A seeded generator, so the data is the same every run. */
const random = mulberry32;

function makeRows(n: number): { rows: RawRow[]; species: number[]; mass: number[] } {
  const rand = random(7);
  const islands = ['Biscoe', 'Dream', 'Torgersen'];
  const rows: RawRow[] = [];
  const species: number[] = [];
  const mass: number[] = [];
  for (let i = 0; i < n; i++) {
    const s = Math.floor(rand() * 3);
    const row = {
      bill: 38 + 5 * s + 3 * rand(),
      flipper: 190 + 10 * s + 8 * rand(),
      depth: 14 + 3 * rand(),
      island: islands[(s + (rand() < 0.2 ? 1 : 0)) % 3]!,
    };
    rows.push(row);
    species.push(s);
    mass.push((row.flipper - 200) / 10 + rand());
  }
  return { rows, species, mass };
}

/** Two inputs (three measurements; an island index through an Embedding), two heads. */
function buildModel(vocabSize: number): tf.LayersModel {
  const measurements = tf.input({ shape: [3], name: 'measurements' });
  const island = tf.input({ shape: [1], dtype: 'int32', name: 'island' });
  const embedded = tf.layers
    .flatten()
    .apply(tf.layers.embedding({ inputDim: vocabSize + 1, outputDim: 2 }).apply(island)) as tf.SymbolicTensor;
  const joined = tf.layers.concatenate().apply([measurements, embedded]) as tf.SymbolicTensor;
  const hidden = tf.layers.dense({ units: 8, activation: 'relu' }).apply(joined) as tf.SymbolicTensor;
  const species = tf.layers
    .dense({ units: 3, activation: 'softmax', name: 'species' })
    .apply(hidden) as tf.SymbolicTensor;
  const mass = tf.layers.dense({ units: 1, name: 'mass' }).apply(hidden) as tf.SymbolicTensor;
  const model = tf.model({ inputs: [measurements, island], outputs: [species, mass] });
  model.compile({ optimizer: tf.train.adam(0.05), loss: ['sparseCategoricalCrossentropy', 'meanSquaredError'] });
  return model;
}

/** Node's reference: the trained model's own predict on tensors made here, not by predict.ts. */
function nodePredict(model: tf.LayersModel, params: ToyParams, rows: RawRow[]): Outputs {
  const inputs = toyTransform(params)(rows);
  const x = tf.tensor2d(inputs.measurements as Float32Array, [rows.length, 3]);
  const i = tf.tensor2d(inputs.island as number[][], [rows.length, 1], 'int32');
  const ys = model.predict([x, i]) as tf.Tensor[];
  const out = Object.fromEntries(
    ys.map((y, k) => [model.outputNames[k]!, { shape: y.shape, values: Array.from(y.dataSync()) }]),
  );
  tf.dispose([x, i, ...ys]);
  return out;
}

function maxDiff(a: Outputs, b: Outputs): number {
  expect(Object.keys(a).sort()).toEqual(Object.keys(b).sort());
  let worst = 0;
  for (const [name, { shape, values }] of Object.entries(a)) {
    expect(b[name]!.shape, name).toEqual(shape);
    values.forEach((v, k) => (worst = Math.max(worst, Math.abs(v - b[name]!.values[k]!))));
  }
  return worst;
}

const chromium = findChromium();
const skip = 'skip' in chromium ? chromium.skip : undefined;

describe.skipIf(skip)(skip ? `model in the browser (skipped: ${skip})` : 'model in the browser', () => {
  let browser: Browser;
  let harness: Harness;
  let params: ToyParams;
  let rows: RawRow[];
  let node: Outputs;
  let labels: number[];

  beforeAll(async () => {
    // esbuild works in its own process meanwhile; openHarness takes the cached result
    browserBundle(ENTRY).catch(() => undefined);
    const started = await Promise.all([launchChromium((chromium as { path: string }).path), ensureBackend()]);
    browser = started[0];
    const data = makeRows(ROWS);
    rows = data.rows;
    labels = data.species;
    params = fitToy(rows);
    // tfjs-backend-wasm lacks UnsortedSegmentSum, Embedding's gradient: train on cpu there, then
    // predict on Node's own backend again
    const nodeBackend = tf.getBackend();
    if (!tf.getKernel('UnsortedSegmentSum', nodeBackend)) await tf.setBackend('cpu');
    const model = buildModel(params.vocab.length);
    const inputs = toyTransform(params)(rows);
    const x = tf.tensor2d(inputs.measurements as Float32Array, [ROWS, 3]);
    const i = tf.tensor2d(inputs.island as number[][], [ROWS, 1], 'int32');
    await model.fit([x, i], [tf.tensor1d(data.species), tf.tensor2d(data.mass, [ROWS, 1])], {
      epochs: 8,
      batchSize: 32,
      verbose: 0,
    });
    tf.dispose([x, i]);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tsfx-browser-'));
    await saveModel(model, path.join(dir, 'model'));
    await tf.setBackend(nodeBackend);
    node = nodePredict(model, params, rows);
    harness = await openHarness(browser, { entry: ENTRY, folders: { '/model/': path.join(dir, 'model') } });
  });

  afterAll(async () => {
    await harness?.close();
    await browser?.close();
  });

  /** Load the served model in the page and predict on `rows` through the toy transform. */
  const predictInPage = (order: BrowserBackendName[]) =>
    harness.page.evaluate(
      async ({ order, wasmPaths, params, rows }) => {
        const { tsfx } = globalThis as unknown as TsfxGlobal<Entry>;
        const backend = await tsfx.useBackend({ order, wasmPaths });
        const predictor = await tsfx.loadPredictor('/model/model.json', { transform: tsfx.toyTransform(params) });
        return { backend, outputs: await predictor.predict(rows) };
      },
      { order, wasmPaths: WASM_PREFIX, params, rows },
    );

  /** Within the tolerance of Node's numbers; the difference is logged, for the README's figures. */
  const expectNodeNumbers = (backend: string, outputs: Outputs) => {
    const diff = maxDiff(node, outputs);
    console.log(`[browser] ${backend} vs Node (${tf.getBackend()}): largest difference ${diff.toExponential(2)}`);
    expect(diff, backend).toBeLessThan(TOLERANCE);
  };

  it('predicts from raw rows on wasm as Node does, loading the .wasm binary from the test server', async () => {
    const { backend, outputs } = await predictInPage(['wasm', 'cpu']);
    console.log(`[browser] backend ${backend.name} (${backend.reason})`);
    expect(backend.name, backend.reason).toBe('wasm');
    expect(outputs.species!.shape).toEqual([ROWS, 3]);
    expect(outputs.mass!.shape).toEqual([ROWS, 1]);
    expectNodeNumbers('wasm', outputs);
    // a model that learned something, so the numbers compared are not a constant: the browser's
    // argmax finds most species, and the regression head gives every row its own value
    const probs = outputs.species!.values;
    const hits = labels.filter((s, r) => [0, 1, 2].every((c) => probs[r * 3 + c]! <= probs[r * 3 + s]!)).length;
    expect(hits / ROWS).toBeGreaterThan(0.8);
    expect(new Set(outputs.mass!.values).size).toBeGreaterThan(ROWS * 0.9);
    expect(harness.server.log).toContain(`GET ${WASM_PREFIX}tfjs-backend-wasm-simd.wasm 200`);
  });

  it('gives the same numbers on the cpu backend', async () => {
    const { backend, outputs } = await predictInPage(['cpu']);
    expect(backend.name).toBe('cpu');
    expectNodeNumbers('cpu', outputs);
  });

  it('gives the same numbers on webgl, where the page has it (headless Chromium: SwiftShader)', async (ctx) => {
    const result = await predictInPage(['webgl']).catch((err: Error) => {
      // only a backend that would not start is a reason to skip; anything else fails
      if (!err.message.includes('no tfjs backend initialised')) throw err;
      ctx.skip(`no webgl in this browser: ${err.message}`);
      throw err;
    });
    expect(result.backend.name).toBe('webgl');
    expectNodeNumbers('webgl', result.outputs);
  });

  it('fetches nothing but from its own 127.0.0.1 server, and the guard blocks any other origin', async () => {
    expect(harness.server.log).toEqual(
      expect.arrayContaining(['GET /model/model.json 200', 'GET /model/weights.bin 200']),
    );
    expect(harness.blocked).toEqual([]);
    expect(harness.requests.every((u) => u.startsWith(harness.origin + '/'))).toBe(true);
    // localhost is this machine too, so even an unguarded request would stay on it
    const elsewhere = harness.origin.replace('127.0.0.1', 'localhost') + '/model/model.json';
    const error = await harness.page.evaluate(
      (url) =>
        fetch(url).then(
          () => 'fetched',
          (e: Error) => e.message,
        ),
      elsewhere,
    );
    expect(error).not.toBe('fetched');
    expect(harness.blocked).toEqual([elsewhere]);
  });

  it('names the URL of a model that is not there, and the input a transform left out', async () => {
    const errors = await harness.page.evaluate(async (params) => {
      const { tsfx } = globalThis as unknown as TsfxGlobal<Entry>;
      const message = (p: Promise<unknown>) =>
        p.then(
          () => 'no error',
          (e: Error) => `${e.name}: ${e.message}`,
        );
      const predictor = await tsfx.loadPredictor('/model/model.json', {
        transform: (rows: unknown[]) => ({ measurements: tsfx.toyTransform(params)(rows as never).measurements }),
      });
      return [await message(tsfx.loadModelFromUrl('/nowhere/model.json')), await message(predictor.predict([]))];
    }, params);
    expect(errors[0]).toMatch(/^DataError: \/nowhere\/model\.json: cannot load a LayersModel: .*404/);
    expect(errors[1]).toBe("DataError: input 'island': is missing from the model inputs");
  });
});
