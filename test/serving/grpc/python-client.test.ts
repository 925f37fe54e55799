/**
 * The gRPC face against TF Serving's own Python client (tensorflow-serving-api from PyPI, in a
 * cached venv), called as the TensorFlow Serving docs show it. A penguin Model is trained, pushed
 * as version 1 and served by the real core over both faces; every gRPC answer is compared with
 * the same request over REST and with the core called in-process.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import { writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ensureBackend } from '../../../src/ml/backend.js';
import { parseSignature } from '../../../src/ml/model-predictor.js';
import { startGrpcServer, type RunningGrpcServer } from '../../../src/serving/grpc/server.js';
import { ModelRepository } from '../../../src/serving/model-repository.js';
import type { ServingCore, Tensor } from '../../../src/serving/servable.js';
import { startServer, type RunningServer } from '../../../src/serving/server.js';
import { tempDir } from '../../components/example-gen/helpers.js';
import { trainPenguins } from '../../helpers/penguin-model.js';
import { TF_SERVING_API_REQUIREMENTS } from '../../helpers/python-pins.js';
import { pushVersion } from '../penguin-fixture.js';

const run = promisify(execFile);
const repo = fileURLToPath(new URL('../../../', import.meta.url));
const here = fileURLToPath(new URL('.', import.meta.url));

// three penguins of the three species, raw measurements as the data holds them
const ROWS = [
  { Island: 'Torgersen', 'Beak Length (mm)': 39.1, 'Beak Depth (mm)': 18.7, 'Flipper Length (mm)': 181, 'Body Mass (g)': 3750, Sex: 'MALE' },
  { Island: 'Dream', 'Beak Length (mm)': 46, 'Beak Depth (mm)': 18.9, 'Flipper Length (mm)': 195, 'Body Mass (g)': 4150, Sex: 'FEMALE' },
  { Island: 'Biscoe', 'Beak Length (mm)': 49.1, 'Beak Depth (mm)': 14.5, 'Flipper Length (mm)': 212, 'Body Mass (g)': 4625, Sex: 'FEMALE' },
];

let python: string;
let core: ServingCore;
let repository: ModelRepository;
let rest: RunningServer;
let server: RunningGrpcServer;
let features: [string, 'float' | 'int' | 'string'][];
let classes: string[];

beforeAll(async () => {
  const venv = run('bash', [path.join(repo, 'scripts/python-venv.sh'), 'tf-serving', ...TF_SERVING_API_REQUIREMENTS], { cwd: repo, maxBuffer: 64 << 20 });
  await ensureBackend();
  const trained = await trainPenguins({ epochs: 10, batchSize: 16, hparams: { hidden: 8, learningRate: 0.02 } });
  const signature = parseSignature(JSON.parse(fs.readFileSync(path.join(trained.model, 'signature.json'), 'utf8')));
  features = signature.rawInputs.map((r) => [r.name, r.kind]);
  classes = signature.label.classes ?? [];
  const base = fs.mkdtempSync(path.join(os.tmpdir(), 'tsfx-grpc-python-'));
  pushVersion(trained.model, base, 'penguin', 1);
  repository = new ModelRepository(base, { pollMs: 60_000 });
  await repository.start();
  rest = await startServer({ repository, port: 0, host: '127.0.0.1' });
  core = rest.core;
  server = await startGrpcServer({ core, port: 0 });
  python = (await venv).stdout.trim().split('\n').pop()!;
}, 30 * 60_000);

afterAll(async () => {
  await server?.close();
  await rest?.close();
  await repository?.stop();
});

async function restCall(url: string, body?: unknown): Promise<any> {
  const res = await fetch(rest.url + url, body === undefined ? {} : { method: 'POST', body: JSON.stringify(body) });
  expect(res.status, url).toBe(200);
  return res.json();
}

interface PythonAnswers {
  predict: number[][];
  predict_spec: [string, number, string];
  broadcast: number[][];
  metadata: { type_url: string; version: number; signatures: Record<string, { method_name: string; inputs: Record<string, [string, number[]]>; outputs: Record<string, [string, number[]]> }> };
  status: [number, string, number, string][];
  classify: [string, number][][];
  regress: [string, string];
  errors: Record<string, [string, string]>;
}

async function pythonClient(): Promise<PythonAnswers> {
  const request = path.join(tempDir('grpc-client'), 'request.json');
  await writeFile(request, JSON.stringify({ model: 'penguin', features, rows: ROWS.map((r) => pick(r)), classify_signature: 'classification' }));
  const { stdout } = await run(python, [path.join(here, 'tf_serving_client.py'), String(server.port), request], {
    maxBuffer: 64 << 20,
    env: { ...process.env, TF_CPP_MIN_LOG_LEVEL: '3', CUDA_VISIBLE_DEVICES: '' },
  });
  return JSON.parse(stdout.trim().split('\n').pop()!) as PythonAnswers;
}

const pick = (r: Record<string, unknown>) => Object.fromEntries(features.map(([name]) => [name, r[name]]));
const bytes = new TextEncoder();
/** the same request, made to the core in-process */
function tensorsOf(rows: Record<string, unknown>[]): Record<string, Tensor> {
  return Object.fromEntries(
    features.map(([name, kind]) => {
      const vs = rows.map((r) => r[name]);
      const t: Tensor =
        kind === 'string'
          ? { dtype: 'DT_STRING', shape: [rows.length], values: vs.map((v) => bytes.encode(String(v))) }
          : { dtype: kind === 'int' ? 'DT_INT64' : 'DT_FLOAT', shape: [rows.length], values: vs.map((v) => (kind === 'float' ? Math.fround(Number(v)) : Number(v))) };
      return [name, t];
    }),
  );
}
const f32 = (vs: number[]) => Array.from(Float32Array.from(vs));

it("answers TF Serving's Python client as REST and the core in-process answer", async () => {
  const got = await pythonClient();
  const direct = await core.predict({ spec: { name: 'penguin' }, inputs: tensorsOf(ROWS) });
  const [want] = Object.values(direct.outputs);
  expect(want!.shape).toEqual([3, classes.length]);
  expect(got.predict.flat()).toEqual(f32(want!.values as number[]));
  // REST parses 39.1 as a double where gRPC carries float32(39.1); TF Serving's REST handler casts
  // to the DT_FLOAT input first, the REST face here keeps the double, so the two agree to ~1e-6
  const overRest = await restCall('/v1/models/penguin:predict', { instances: ROWS.map((r) => pick(r)) });
  const restValues = (overRest.predictions as number[][]).flat();
  got.predict.flat().forEach((v, i) => expect(Math.abs(v - restValues[i]!), `value ${i}`).toBeLessThan(1e-5 * Math.max(1e-3, Math.abs(v))));
  expect(got.predict_spec).toEqual(['penguin', 1, 'serving_default']);
  // one value broadcast over the batch: every row is the first penguin
  const first = await core.predict({ spec: { name: 'penguin' }, inputs: tensorsOf([ROWS[0]!, ROWS[0]!, ROWS[0]!]) });
  expect(got.broadcast.flat()).toEqual(f32(Object.values(first.outputs)[0]!.values as number[]));

  expect(got.metadata.type_url).toBe('type.googleapis.com/tensorflow.serving.SignatureDefMap');
  expect(got.metadata.version).toBe(1);
  const restMeta = (await restCall('/v1/models/penguin/metadata')).metadata.signature_def.signature_def;
  const infos = (m: Record<string, any>) => Object.fromEntries(Object.entries(m).map(([k, v]) => [k, [v.dtype, v.tensor_shape.dim.map((d: any) => Number(d.size))]]));
  expect(Object.keys(got.metadata.signatures).sort()).toEqual(Object.keys(restMeta).sort());
  for (const [name, sig] of Object.entries(got.metadata.signatures)) {
    expect(sig.method_name).toBe(restMeta[name].method_name);
    expect(sig.inputs).toEqual(infos(restMeta[name].inputs));
    expect(sig.outputs).toEqual(infos(restMeta[name].outputs));
  }
  expect(got.metadata.signatures.serving_default!.inputs.Island).toEqual(['DT_STRING', [-1]]);

  expect(got.status).toEqual([[1, 'AVAILABLE', 0, '']]);

  const probabilities = want!.values as number[];
  expect(got.classify).toEqual(ROWS.map((_, i) => classes.map((label, k) => [label, Math.fround(probabilities[i * classes.length + k]!)])));
  const restClassify = await restCall('/v1/models/penguin:classify', { signature_name: 'classification', examples: ROWS.map((r) => pick(r)) });
  const restResults = restClassify.results as [string, number][][];
  expect(restResults.map((r) => r.map(([l]) => l))).toEqual(got.classify.map((r) => r.map(([l]) => l)));
  restResults.flat().forEach(([, s], i) => expect(Math.abs(s - got.classify.flat()[i]![1])).toBeLessThan(1e-5 * Math.max(1e-3, s)));
  // a classifier has no regression signature
  expect(got.regress[0]).not.toBe('OK');

  expect(got.errors.unknown_model![0]).toBe('NOT_FOUND');
  expect(got.errors.unknown_model![1]).toContain('no-such-model');
  expect(got.errors.bad_dtype![0]).toBe('INVALID_ARGUMENT');
  expect(got.errors.bad_dtype![1]).toMatch(/DT_FLOAT/);
}, 10 * 60_000);
