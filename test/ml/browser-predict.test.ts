/**
 * src/ml/browser/predict.ts in Node: the same code the browser bundle runs, loading a Model folder
 * over HTTP (Node's fetch, from the test's 127.0.0.1 server) and checking model inputs.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DataError } from '../../src/errors.js';
import { ensureBackend } from '../../src/ml/backend.js';
import { inputTensors, loadModelFromUrl, loadPredictor, predict } from '../../src/ml/browser/predict.js';
import { saveModel } from '../../src/ml/fs-model-io.js';
import { twoHeaded } from '../fixtures/models.js';
import { type StaticServer, startStaticServer } from '../helpers/static-server.js';

let server: StaticServer;
let url: string;

beforeAll(async () => {
  await ensureBackend();
  const dir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'tsfx-browser-predict-')), 'model');
  await saveModel(twoHeaded(), dir);
  server = await startStaticServer({ folders: { '/model/': dir } });
  url = `${server.origin}/model/model.json`;
});

afterAll(() => server?.close());

describe('predict from a Model folder served over HTTP', () => {
  it('loads model.json and weights.bin from the URL and predicts every output, flat or per-row inputs alike', async () => {
    const predictor = await loadPredictor(url);
    expect(server.log).toEqual(['GET /model/model.json 200', 'GET /model/weights.bin 200']);
    // twoHeaded: y = a0 + 2*a1 + 3*b, z = a
    const perRow = await predictor.predict({
      a: [
        [1, 2],
        [3, 4],
        [5, 6],
      ],
      b: [[1], [0], [-1]],
    });
    expect(perRow).toEqual({
      y: { shape: [3, 1], values: [8, 11, 14] },
      z: { shape: [3, 2], values: [1, 2, 3, 4, 5, 6] },
    });
    const flat = await predictor.predict({ a: new Float32Array([1, 2, 3, 4, 5, 6]), b: [1, 0, -1] });
    expect(flat).toEqual(perRow);
  });

  it('applies the transform to the raw batch first', async () => {
    type Row = { x: number; y: number };
    const predictor = await loadPredictor(url, {
      transform: (rows: Row[]) => ({ a: rows.map((r) => [r.x, r.y]), b: rows.map((r) => [r.x * r.y]) }),
    });
    const out = await predictor.predict([{ x: 2, y: 3 }]);
    expect(out.y!.values).toEqual([2 + 2 * 3 + 3 * 6]);
    const model = await loadModelFromUrl(url);
    expect(await predict(model, { a: [[2, 3]], b: [[6]] })).toEqual(out);
  });

  it('names the URL of a model that is not there', async () => {
    const missing = `${server.origin}/model/nope.json`;
    await expect(loadModelFromUrl(missing)).rejects.toThrow(DataError);
    await expect(loadModelFromUrl(missing)).rejects.toThrow(`${missing}: cannot load a LayersModel`);
  });

  it('serves no file outside the mounted folder', async () => {
    const res = await fetch(`${server.origin}/model/..%2f..%2f..%2fetc%2fhostname`);
    expect(res.status).toBe(404);
  });
});

describe('inputTensors', () => {
  const model = twoHeaded();
  const bad = (inputs: Parameters<typeof inputTensors>[1]) => () => tf.dispose(inputTensors(model, inputs));

  it("gives each input its layer's shape and dtype, in the model's input order", () => {
    const [b, a] = [tf.tensor([[7]]), tf.tensor([[1, 2]])];
    const xs = inputTensors(model, { b: [[7]], a: [1, 2] });
    expect(xs.map((x) => x.shape)).toEqual([
      [1, 2],
      [1, 1],
    ]);
    expect(xs.map((x) => Array.from(x.dataSync()))).toEqual([Array.from(a.dataSync()), Array.from(b.dataSync())]);
    tf.dispose([...xs, a, b]);
  });

  it('names the input at fault', () => {
    expect(bad({ a: [[1, 2]], b: [[1]], c: [[1]] })).toThrow("input 'c': not inputs of the model (it has a, b)");
    expect(bad({ a: [[1, 2]] })).toThrow("input 'b': is missing from the model inputs");
    expect(bad({ a: [[1, 2], [3]], b: [[1], [2]] })).toThrow("input 'a' row 1: has 1 values, the model wants 2");
    expect(bad({ a: [1, 2, 3], b: [1] })).toThrow("input 'a': 3 values are not whole rows of 2");
    expect(bad({ a: [[1, 2]], b: [[1], [2]] })).toThrow("input 'b': has 2 rows, input 'a' has 1");
    expect(bad({ a: [[1, 2]], b: [[NaN]] })).toThrow("input 'b' row 0: NaN is not a finite number");
    expect(bad({ a: [1, 2, 3, Infinity], b: [1, 2] })).toThrow("input 'a' row 1: Infinity is not a finite number");
    expect(bad({ a: [[1, '2' as never]], b: [[1]] })).toThrow("input 'a' row 0: 2 is not a finite number");
  });

  it('takes only integers for an int32 input, rather than truncating an index', () => {
    const index = tf.input({ shape: [1], dtype: 'int32', name: 'index' });
    const embedded = tf.layers.embedding({ inputDim: 4, outputDim: 2 }).apply(index) as tf.SymbolicTensor;
    const indexed = tf.model({ inputs: index, outputs: embedded });
    const [x] = inputTensors(indexed, { index: [3, 0] });
    expect(x!.dtype).toBe('int32');
    expect(Array.from(x!.dataSync())).toEqual([3, 0]);
    tf.dispose(x);
    expect(() => inputTensors(indexed, { index: [[1], [2.5]] })).toThrow(
      "input 'index' row 1: 2.5 is not an integer, the input is int32",
    );
  });
});
