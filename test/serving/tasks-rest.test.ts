/**
 * :classify on a binary Model and :regress on a regression Model, hand-made (signature.json,
 * transform graph, weights) so every answer is computed here independently: the transform by
 * hand (z-score, vocabulary ids), the model with model.predict on tensors built here. Plus the
 * REST codec's own rules: TF Serving's float formatting, NaN/Infinity tokens, its HTTP table.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBackend } from '../../src/ml/backend.js';
import { saveModel } from '../../src/ml/fs-model-io.js';
import { analyzeBatches, rawBatchFromRows, tracePreprocessing } from '../../src/ml/transform/index.js';
import { HTTP_STATUS_OF } from '../../src/serving/http-errors.js';
import { formatFloat } from '../../src/serving/json-tensor.js';
import { ModelRepository } from '../../src/serving/model-repository.js';
import { parseRequestJson } from '../../src/serving/request-json.js';
import { startServer, type RunningServer } from '../../src/serving/server.js';

const rows = Array.from({ length: 30 }, (_, i) => ({ x: (i * 7) % 13, color: ['red', 'green', 'blue'][i % 3]! }));
const graph = analyzeBatches(
  tracePreprocessing((f) => ({ x: f.zScore('x'), color: f.vocabulary('color') })),
  () => [rawBatchFromRows(rows)],
);
const mean = rows.reduce((a, r) => a + r.x, 0) / rows.length;
const std = Math.sqrt(rows.reduce((a, r) => a + (r.x - mean) ** 2, 0) / rows.length);
// vocabulary ids: by frequency (all equal here), then by bytes descending
const ids = ['red', 'green', 'blue'].sort((a, b) => (b < a ? -1 : 1));

function signature(task: string, classes?: string[]) {
  return {
    format: 'tsfx-model-signature/1',
    rawInputs: [
      { name: 'x', kind: 'float' },
      { name: 'color', kind: 'string' },
    ],
    transformedInputs: [
      { name: 'x', dtype: 'float32', width: 1 },
      { name: 'color', dtype: 'float32', width: 1 },
    ],
    modelInputs: { kind: 'concat', features: ['x', 'color'] },
    label: { name: 'y', task, ...(classes ? { classes } : {}) },
    output: { width: 1, meaning: 'test' },
  };
}

async function writeModel(dir: string, model: tf.LayersModel, sig: object) {
  await saveModel(model, dir);
  fs.writeFileSync(path.join(dir, 'signature.json'), JSON.stringify(sig));
  fs.mkdirSync(path.join(dir, 'transform'));
  fs.writeFileSync(path.join(dir, 'transform', 'transform_graph.json'), JSON.stringify(graph));
}

let server: RunningServer;
let repository: ModelRepository;
const binary = tf.sequential({ layers: [tf.layers.dense({ inputShape: [2], units: 1, activation: 'sigmoid' })] });
const regression = tf.sequential({ layers: [tf.layers.dense({ inputShape: [2], units: 1 })] });
binary.setWeights([tf.tensor2d([[1.5], [-0.7]]), tf.tensor1d([0.2])]);
regression.setWeights([tf.tensor2d([[2], [10]]), tf.tensor1d([-1])]);

/** model.predict on inputs transformed here by hand */
const byHand = (model: tf.LayersModel, xs: { x: number; color: string }[]) =>
  Array.from(
    (
      model.predict(
        tf.tensor2d(
          xs.flatMap((r) => [(r.x - mean) / std, ids.indexOf(r.color)]),
          [xs.length, 2],
        ),
      ) as tf.Tensor
    ).dataSync(),
  );

async function post(p: string, body: unknown) {
  const res = await fetch(server.url + p, { method: 'POST', body: JSON.stringify(body) });
  return { status: res.status, json: (await res.json()) as any };
}

beforeAll(async () => {
  await ensureBackend();
  const base = fs.mkdtempSync(path.join(os.tmpdir(), 'tsfx-tasks-'));
  await writeModel(path.join(base, 'bin', '1'), binary, signature('binary', ['no', 'yes']));
  await writeModel(path.join(base, 'reg', '1'), regression, signature('regression'));
  repository = new ModelRepository(base, { pollMs: 1000 });
  await repository.start();
  server = await startServer({ repository, port: 0, host: '127.0.0.1' });
});

afterAll(async () => {
  await server?.close();
  await repository?.stop();
});

describe(':classify and :regress', () => {
  const xs = [
    { x: 3, color: 'blue' },
    { x: 11, color: 'red' },
    { x: 0.5, color: 'green' },
  ];
  it('classifies a binary model into both classes with scores 1-p and p', async () => {
    const p = byHand(binary, xs);
    const r = await post('/v1/models/bin:classify', {
      signature_name: 'classification',
      examples: xs.map((e) => ({ x: e.x, color: e.color })),
    });
    expect(r.status).toBe(200);
    r.json.results.forEach((classes: [string, number][], i: number) => {
      expect(classes.map((c) => c[0])).toEqual(['no', 'yes']);
      expect(classes[0]![1]).toBeCloseTo(1 - p[i]!, 6);
      expect(classes[1]![1]).toBeCloseTo(p[i]!, 6);
    });
  });

  it('regresses examples sharing a context, and describes the regression signature', async () => {
    const want = byHand(
      regression,
      xs.map((e) => ({ ...e, color: 'red' })),
    );
    const r = await post('/v1/models/reg:regress', {
      signature_name: 'regression',
      context: { color: 'red' },
      examples: xs.map((e) => ({ x: [e.x] })),
    });
    expect(r.status).toBe(200);
    r.json.results.forEach((v: number, i: number) => expect(v).toBeCloseTo(want[i]!, 4));
    const meta = await (await fetch(`${server.url}/v1/models/reg/metadata`)).json();
    const sig = (meta as any).metadata.signature_def.signature_def.regression;
    expect(sig.method_name).toBe('tensorflow/serving/regress');
    expect(Object.keys(sig.outputs)).toEqual(['outputs']);
    const wrong = await post('/v1/models/reg:classify', { signature_name: 'regression', examples: [{ x: 1 }] });
    expect(wrong.status).toBe(400);
    expect(wrong.json.error).toMatch(
      /Expected classification signature method_name to be tensorflow\/serving\/classify. Was: tensorflow\/serving\/regress/,
    );
  });

  it('answers bad examples with 400 naming the example and feature', async () => {
    for (const [body, msg] of [
      [
        { signature_name: 'regression', examples: [{ x: 'high', color: 'red' }] },
        /examples\[0\]: feature 'x'.*expecting type: float/,
      ],
      [
        { signature_name: 'regression', examples: [{ x: [1, 2], color: 'red' }] },
        /feature 'x' has 2 values; the model takes one/,
      ],
      [{ signature_name: 'regression', examples: [{ x: 1, shade: 'red' }] }, /examples\[0\]: unknown feature 'shade'/],
      [
        { signature_name: 'regression', examples: [{ x: null }] },
        /Feature: x has element with unexpected JSON type: Null/,
      ],
      [{ signature_name: 'regression' }, /key 'examples' is expected and was not found/],
      [{ signature_name: 'regression', examples: [3] }, /Example must be JSON object but got JSON number/],
    ] as const) {
      const r = await post('/v1/models/reg:regress', body);
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(r.json.error, JSON.stringify(body)).toMatch(msg);
    }
  });
});

describe('the REST codec', () => {
  it("writes float32 as TF Serving's WriteDecimal: %g at 6 digits, 9 when that does not round-trip", () => {
    expect(formatFloat(Math.fround(0.2))).toBe('0.2');
    expect(formatFloat(3)).toBe('3.0');
    expect(formatFloat(9000000)).toBe('9e+06');
    expect(formatFloat(0.00003)).toBe('3e-05');
    expect(formatFloat(Math.fround(0.123456789))).toBe('0.123456791');
    expect(formatFloat(Math.fround(1 / 3))).toBe('0.333333343');
    expect(formatFloat(NaN)).toBe('NaN');
    expect(formatFloat(-Infinity)).toBe('-Infinity');
    for (const v of [Math.fround(Math.PI), Math.fround(-1e-7), Math.fround(123456.7)])
      expect(Math.fround(Number(formatFloat(v)))).toBe(v);
  });

  it('reads the NaN and Infinity tokens rapidjson accepts, and never inside strings', () => {
    expect(parseRequestJson('{"a": [NaN, Infinity, -Infinity, -Inf, 1]}')).toEqual({
      a: [NaN, Infinity, -Infinity, -Infinity, 1],
    });
    expect(parseRequestJson('{"s": "NaN Infinity", "t": "x\\"NaN"}')).toEqual({ s: 'NaN Infinity', t: 'x"NaN' });
    expect(() => parseRequestJson('{"a": Nope}')).toThrow(/JSON Parse error/);
  });

  it("maps canonical codes to HTTP as TF Serving's ToHTTPStatusCode", () => {
    expect(HTTP_STATUS_OF).toMatchObject({
      INVALID_ARGUMENT: 400,
      FAILED_PRECONDITION: 400,
      NOT_FOUND: 404,
      ALREADY_EXISTS: 409,
      ABORTED: 409,
      RESOURCE_EXHAUSTED: 429,
      UNAVAILABLE: 503,
      DEADLINE_EXCEEDED: 504,
      UNAUTHENTICATED: 401,
      UNIMPLEMENTED: 501,
      CANCELLED: 499,
    });
  });
});
