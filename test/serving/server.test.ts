/**
 * The REST API against a real server on an ephemeral port, with models whose weights are set so
 * every prediction is known exactly.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBackend } from '../../src/ml/backend.js';
import { saveModel } from '../../src/ml/fs-model-io.js';
import { ModelRepository } from '../../src/serving/model-repository.js';
import { startServer, type RunningServer } from '../../src/serving/server.js';
import { twoHeaded } from '../fixtures/models.js';

/** y = w*x + b on one feature */
function linear(w: number, b: number): tf.LayersModel {
  const model = tf.sequential({ layers: [tf.layers.dense({ units: 1, inputShape: [1], name: 'y' })] });
  model.setWeights([tf.tensor2d([[w]]), tf.tensor1d([b])]);
  return model;
}

let server: RunningServer;
let repository: ModelRepository;
let base: string;

async function call(p: string, body?: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
  const init: RequestInit =
    body === undefined ? {} : { method: 'POST', body: typeof body === 'string' ? body : JSON.stringify(body) };
  const res = await fetch(server.url + p, init);
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

beforeAll(async () => {
  await ensureBackend();
  base = fs.mkdtempSync(path.join(os.tmpdir(), 'tsfx-serve-'));
  await saveModel(linear(2, 1), path.join(base, 'lin', '1'));
  // y = relu(-x): finite for x = +Infinity, and saved as taking it
  const clamp = tf.sequential({ layers: [tf.layers.dense({ units: 1, inputShape: [1], activation: 'relu' })] });
  clamp.setWeights([tf.tensor2d([[-1]]), tf.tensor1d([0])]);
  clamp.setUserDefinedMetadata({ allowNonFiniteInputs: true });
  await saveModel(clamp, path.join(base, 'clamp', '1'));
  // a broken version whose error names its files
  await saveModel(linear(1, 0), path.join(base, 'broken', '1'));
  fs.truncateSync(path.join(base, 'broken', '1', 'weights.bin'), 3);
  await saveModel(linear(3, 0), path.join(base, 'lin', '2'));
  await saveModel(twoHeaded(), path.join(base, 'multi', '7'));
  fs.writeFileSync(path.join(base, 'lin', 'labels.json'), JSON.stringify({ stable: 1, canary: 2 }));
  repository = new ModelRepository(base, { pollMs: 100 });
  await repository.start();
  server = await startServer({ repository, port: 0, host: '127.0.0.1' });
});

afterAll(async () => {
  await server?.close();
  await repository?.stop();
});

describe('model status', () => {
  it('lists every version, newest first, and one version or label on request', async () => {
    const all = await call('/v1/models/lin');
    expect(all.status).toBe(200);
    expect(all.json).toEqual({
      model_version_status: [
        { version: '2', state: 'AVAILABLE', status: { error_code: 'OK', error_message: '' } },
        { version: '1', state: 'AVAILABLE', status: { error_code: 'OK', error_message: '' } },
      ],
    });
    expect((await call('/v1/models/lin/versions/1')).json.model_version_status).toEqual([
      { version: '1', state: 'AVAILABLE', status: { error_code: 'OK', error_message: '' } },
    ]);
    expect((await call('/v1/models/lin/labels/canary')).json.model_version_status).toMatchObject([{ version: '2' }]);
  });

  it("answers an unknown model or version 404, an unknown label 400, with TF Serving's messages", async () => {
    for (const [p, code, msg] of [
      ['/v1/models/nope', 404, 'Could not find any versions of model nope'],
      ['/v1/models/lin/versions/9', 404, 'Could not find version 9 of model lin'],
      ['/v1/models/lin/labels/beta', 400, "Unrecognized servable version label: beta (model 'lin')"],
      [
        '/v1/models/lin/versions/9/metadata',
        404,
        "Servable not found for request: Specific(lin, 9): model 'lin' has no version 9",
      ],
      ['/v1/models', 400, 'Missing model name in request.'],
      ['/v1/models/lin/versions/x', 400, 'Malformed request: GET /v1/models/lin/versions/x'],
      ['/v2/models/lin', 404, 'Not found: GET /v2/models/lin'],
    ] as const) {
      const r = await call(p);
      expect(r.status, p).toBe(code);
      expect(r.json.error, p).toBe(msg);
    }
  });
});

describe('metadata', () => {
  it('describes the serving_default signature from the model inputs and outputs', async () => {
    const r = await call('/v1/models/multi/metadata');
    expect(r.status).toBe(200);
    expect(r.json.model_spec).toEqual({ name: 'multi', signature_name: '', version: '7' });
    const sig = (r.json.metadata as any).signature_def.signature_def.serving_default;
    expect(sig.method_name).toBe('tensorflow/serving/predict');
    expect(Object.keys(sig.inputs)).toEqual(['a', 'b']);
    expect(Object.keys(sig.outputs)).toEqual(['y', 'z']);
    expect(sig.inputs.a).toEqual({
      dtype: 'DT_FLOAT',
      tensor_shape: {
        dim: [
          { size: '-1', name: '' },
          { size: '2', name: '' },
        ],
        unknown_rank: false,
      },
      name: 'a:0',
    });
    expect(sig.outputs.z.tensor_shape.dim.map((d: { size: string }) => d.size)).toEqual(['-1', '2']);
  });

  it('follows versions and labels', async () => {
    expect((await call('/v1/models/lin/metadata')).json.model_spec).toMatchObject({ version: '2' });
    expect((await call('/v1/models/lin/versions/1/metadata')).json.model_spec).toMatchObject({ version: '1' });
    expect((await call('/v1/models/lin/labels/stable/metadata')).json.model_spec).toMatchObject({ version: '1' });
  });
});

describe('predict', () => {
  it('answers the row format with predictions, newest version by default', async () => {
    expect(await call('/v1/models/lin:predict', { instances: [[1], [2], [-0.5]] })).toEqual({
      status: 200,
      json: { predictions: [[3], [6], [-1.5]] },
    });
    expect((await call('/v1/models/lin/versions/1:predict', { instances: [[1], [2]] })).json).toEqual({
      predictions: [[3], [5]],
    });
    expect(
      (await call('/v1/models/lin/labels/stable:predict', { signature_name: 'serving_default', instances: [[4]] }))
        .json,
    ).toEqual({
      predictions: [[9]],
    });
  });

  it('answers the columnar format with outputs', async () => {
    expect((await call('/v1/models/lin/versions/1:predict', { inputs: [[0], [10]] })).json).toEqual({
      outputs: [[1], [21]],
    });
    expect((await call('/v1/models/lin/versions/1:predict', { inputs: { y_input: [[0]] } })).json).toEqual({
      outputs: [[1]],
    });
  });

  it('takes named inputs for a multi-input model and names each output', async () => {
    const rows = await call('/v1/models/multi:predict', {
      instances: [
        { a: [1, 2], b: [3] },
        { b: [0], a: [0, 1] },
      ],
    });
    expect(rows).toEqual({
      status: 200,
      json: {
        predictions: [
          { y: [14], z: [1, 2] },
          { y: [2], z: [0, 1] },
        ],
      },
    });
    const cols = await call('/v1/models/multi:predict', {
      inputs: {
        a: [
          [1, 2],
          [0, 1],
        ],
        b: [[3], [0]],
      },
    });
    expect(cols.json).toEqual({
      outputs: {
        y: [[14], [2]],
        z: [
          [1, 2],
          [0, 1],
        ],
      },
    });
  });

  it('rejects malformed requests with 400 and a message naming the problem', async () => {
    const cases: [string, unknown, RegExp][] = [
      ['/v1/models/lin:predict', '{"instances": [[1]', /JSON Parse error/],
      ['/v1/models/lin:predict', '', /The document is empty/],
      ['/v1/models/lin:predict', [1, 2], /Is not object/],
      ['/v1/models/lin:predict', { instances: 5 }, /Expecting 'instances' to be an list\/array/],
      ['/v1/models/lin:predict', { instances: [] }, /No values in 'instances' array/],
      ['/v1/models/lin:predict', { foo: 1 }, /Missing 'inputs' or 'instances' key/],
      ['/v1/models/lin:predict', { instances: [[1]], inputs: [[1]] }, /expecting only one of 'inputs' or 'instances'/],
      ['/v1/models/lin:predict', { signature_name: 7, instances: [[1]] }, /'signature_name' key must be a string/],
      [
        '/v1/models/lin:predict',
        { instances: [[1], [2, 3]] },
        /instances\[1\]\.y_input: Expecting shape \[1\] but got: \[2\]/,
      ],
      ['/v1/models/lin:predict', { instances: [[1], [[2]]] }, /Expecting shape \[1\] but got: \[1,1\]/],
      [
        '/v1/models/lin:predict',
        { instances: [['x']] },
        /instances\[0\]\[0\]: JSON Value: "x" Type: String is not of expected type: float/,
      ],
      ['/v1/models/lin:predict', { inputs: [[1, 2]] }, /input 'y_input' expects shape \[-1,1\] but got \[1,2\]/],
      [
        '/v1/models/lin:predict',
        { signature_name: 'other', instances: [[1]] },
        /Serving signature name: "other" not found in signature def \(signatures: serving_default\)/,
      ],
      [
        '/v1/models/multi:predict',
        { instances: [{ a: [1, 2], b: [3], c: [1] }] },
        /Failed to process element: 0 key: c of 'instances' list. Error: JSON object: does not have named input: c \(inputs: a, b\)/,
      ],
      ['/v1/models/multi:predict', { instances: [{ a: [1, 2] }] }, /element: 0 of 'instances' list: missing input 'b'/],
      ['/v1/models/multi:predict', { instances: [[1, 2]] }, /instances is a plain list, but expecting list of objects/],
      [
        '/v1/models/multi:predict',
        { instances: [{ a: [[1, 2], [3]], b: [1] }] },
        /instances\[0\]\.a\[1\]: Encountered list at unexpected size: 1 at level: 1 expected size: 2 \(ragged list\)/,
      ],
      ['/v1/models/multi:predict', { inputs: [[1, 2]] }, /inputs is a plain value\/list, but expecting an object/],
      ['/v1/models/multi:predict', { inputs: { a: [[1, 2]], b: [[1], [2]] } }, /batch size: 'a' has 1 rows, 'b' has 2/],
      [
        '/v1/models/lin:classify',
        { examples: [{ x: 1 }] },
        /Expected classification signature method_name to be tensorflow\/serving\/classify. Was: tensorflow\/serving\/predict/,
      ],
      ['/v1/models/lin:regress', { examples: [] }, /'examples' value is an empty array/],
      ['/v1/models/lin:frobnicate', { instances: [[1]] }, /Malformed request: POST \/v1\/models\/lin:frobnicate/],
    ];
    for (const [p, body, msg] of cases) {
      const r = await call(p, body);
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(r.json.error, JSON.stringify(body)).toMatch(msg);
    }
  });

  it('answers an unknown model or version 404 and an unknown label 400, whatever the body', async () => {
    for (const [p, code] of [
      ['/v1/models/nope:predict', 404],
      ['/v1/models/lin/versions/5:predict', 404],
      ['/v1/models/lin/labels/beta:predict', 400],
    ] as const) {
      const r = await call(p, '{"instances": [[1]]}');
      expect(r.status, p).toBe(code);
      expect(typeof r.json.error).toBe('string');
    }
    const get = await call('/v1/models/lin:predict');
    expect(get.status).toBe(400);
    expect(get.json.error).toBe('Malformed request: GET /v1/models/lin:predict');
  });

  it('leaks no tensors across requests', async () => {
    await call('/v1/models/multi:predict', { instances: [{ a: [1, 2], b: [3] }] });
    const before = tf.memory().numTensors;
    for (let i = 0; i < 5; i++) await call('/v1/models/multi:predict', { instances: [{ a: [1, 2], b: [3] }] });
    await call('/v1/models/lin:predict', { instances: [[1], [2, 3]] });
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('hostile and odd requests', () => {
  it('answers 400 naming the depth limit for deeply nested JSON, not a stack overflow', async () => {
    const deep = '['.repeat(100_000) + '1' + ']'.repeat(100_000);
    const r = await call('/v1/models/lin:predict', `{"instances": ${deep}}`);
    expect(r.status).toBe(400);
    expect(r.json.error).toMatch(/nests deeper than 64 levels/);
    // brackets inside strings are not nesting
    const ok = await call('/v1/models/lin:predict', { signature_name: '', instances: [[1]], note: '[[[['.repeat(50) });
    expect(ok).toEqual({ status: 200, json: { predictions: [[3]] } });
  });

  it("refuses labels named like Object's prototype members, in status, metadata and predict", async () => {
    for (const label of ['constructor', '__proto__', 'toString', 'hasOwnProperty']) {
      for (const [p, body] of [
        [`/v1/models/lin/labels/${label}`, undefined],
        [`/v1/models/lin/labels/${label}/metadata`, undefined],
        [`/v1/models/lin/labels/${label}:predict`, { instances: [[1]] }],
      ] as const) {
        const r = await call(p, body);
        expect(r.status, p).toBe(400);
        expect(r.json.error, p).toBe(`Unrecognized servable version label: ${label} (model 'lin')`);
      }
    }
  });

  it('names no filesystem path in any error', async () => {
    const cases = ['/v1/models/nope', '/v1/models/nope:predict', '/v1/models/broken/versions/1:predict'];
    for (const p of cases) {
      const r = await call(p, p.endsWith(':predict') ? { instances: [[1]] } : undefined);
      expect(r.status, p).toBe(404);
      expect(r.json.error, p).not.toContain(base);
      expect(r.json.error, p).not.toMatch(/\/tmp\//);
    }
    expect((await call('/v1/models/nope')).json.error).toBe('Could not find any versions of model nope');
    // the broken version still says which file is wrong, relative to the model base
    expect((await call('/v1/models/broken/versions/1:predict', { instances: [[1]] })).json.error).toMatch(
      /broken\/1\/weights\.bin/,
    );
    const status = (await call('/v1/models/broken')).json.model_version_status as {
      status: { error_message: string };
    }[];
    expect(status[0]!.status.error_message).not.toContain(base);
  });

  it('rejects numbers too large for a float (1e400 parses as Infinity) unless the model allows them', async () => {
    const rows = await call('/v1/models/lin:predict', '{"instances": [[1], [1e400]]}');
    expect(rows.status).toBe(400);
    expect(rows.json.error).toMatch(/input 'y_input' row 1: Infinity is not a finite number/);
    const cols = await call('/v1/models/multi:predict', '{"inputs": {"a": [[1, -1e400]], "b": [[0]]}}');
    expect(cols.status).toBe(400);
    expect(cols.json.error).toMatch(/input 'a' row 0: -Infinity is not a finite number/);
    expect(await call('/v1/models/clamp:predict', '{"instances": [[1e400], [-2]]}')).toEqual({
      status: 200,
      json: { predictions: [[0], [2]] },
    });
  });

  it('refuses binary {"b64": ...} values for float inputs as TF Serving does', async () => {
    for (const [p, body] of [
      ['/v1/models/lin:predict', { instances: [{ b64: 'AAAA' }] }],
      ['/v1/models/lin:predict', { inputs: { b64: 'AAAA' } }],
      ['/v1/models/multi:predict', { instances: [{ a: { b64: 'AAAA' }, b: [1] }] }],
    ] as const) {
      const r = await call(p, body);
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(r.json.error, JSON.stringify(body)).toMatch(
        /JSON Value: \{"b64":"AAAA"\} Type: Object is not of expected type: float/,
      );
    }
  });
});
