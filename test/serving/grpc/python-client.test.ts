/**
 * The gRPC face against TF Serving's own Python client (tensorflow-serving-api from PyPI, in a
 * cached venv), called as the TensorFlow Serving docs show it. A penguin Model is trained here,
 * served over gRPC, and every answer is compared with the same request made to the core
 * in-process: the numbers must be the very same float32s.
 */
import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { loadModel } from '../../../src/ml/fs-model-io.js';
import { createModelPredictor, parseSignature, parseTransformGraph } from '../../../src/ml/model-predictor.js';
import { startGrpcServer, type RunningGrpcServer } from '../../../src/serving/grpc/server.js';
import type { ServingCore, Tensor } from '../../../src/serving/servable.js';
import { runTrainer, transformedPenguins } from '../../components/trainer/helpers.js';
import { tempDir } from '../../components/example-gen/helpers.js';
import { TF_SERVING_API_REQUIREMENTS } from '../../helpers/python-pins.js';
import { predictorCore } from './predictor-core.js';

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
let server: RunningGrpcServer;
let features: [string, 'float' | 'int' | 'string'][];
let classes: string[];

beforeAll(async () => {
  const venv = run('bash', [path.join(repo, 'scripts/python-venv.sh'), 'tf-serving', ...TF_SERVING_API_REQUIREMENTS], { cwd: repo, maxBuffer: 64 << 20 });
  const data = await transformedPenguins();
  const { model: dir } = await runTrainer(data, { epochs: 10, batchSize: 16, hparams: { hidden: 8, learningRate: 0.02 } });
  const signature = parseSignature(JSON.parse(await readFile(path.join(dir, 'signature.json'), 'utf8')));
  const graph = parseTransformGraph(JSON.parse(await readFile(path.join(dir, 'transform/transform_graph.json'), 'utf8')));
  const predictor = createModelPredictor({ signature, graph, model: await loadModel(dir) });
  features = signature.rawInputs.map((r) => [r.name, r.kind]);
  classes = signature.label.classes ?? [];
  core = predictorCore('penguin', 1, predictor);
  server = await startGrpcServer({ core, port: 0 });
  python = (await venv).stdout.trim().split('\n').pop()!;
}, 30 * 60_000);

afterAll(async () => {
  await server?.close();
});

interface PythonAnswers {
  predict: number[][];
  predict_spec: [string, number, string];
  broadcast: number[][];
  metadata: { type_url: string; version: number; signatures: Record<string, { method_name: string; inputs: Record<string, [string, number[]]>; outputs: Record<string, [string, number[]]> }> };
  status: [number, string, number, string][];
  classify: [string, number][][];
  regress: number[];
  errors: Record<string, [string, string]>;
}

async function pythonClient(): Promise<PythonAnswers> {
  const request = path.join(tempDir('grpc-client'), 'request.json');
  await writeFile(request, JSON.stringify({ model: 'penguin', features, rows: ROWS.map((r) => pick(r)) }));
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

it('answers Predict, GetModelMetadata, GetModelStatus, Classify and Regress to TF Serving\'s Python client with the core\'s numbers', async () => {
  const got = await pythonClient();
  const direct = await core.predict({ spec: { name: 'penguin' }, inputs: tensorsOf(ROWS) });
  const want = direct.outputs.output_0!;
  expect(want.shape).toEqual([3, classes.length]);
  expect(got.predict.flat()).toEqual(f32(want.values as number[]));
  expect(got.predict_spec).toEqual(['penguin', 1, 'serving_default']);
  // one value broadcast over the batch: every row is the first penguin
  const first = await core.predict({ spec: { name: 'penguin' }, inputs: tensorsOf([ROWS[0]!, ROWS[0]!, ROWS[0]!]) });
  expect(got.broadcast.flat()).toEqual(f32(first.outputs.output_0!.values as number[]));

  expect(got.metadata.type_url).toBe('type.googleapis.com/tensorflow.serving.SignatureDefMap');
  expect(got.metadata.version).toBe(1);
  const sig = got.metadata.signatures.serving_default!;
  expect(sig.method_name).toBe('tensorflow/serving/predict');
  expect(sig.outputs.output_0).toEqual(['float32', [-1, classes.length]]);
  for (const [name, kind] of features) expect(sig.inputs[name]).toEqual([{ float: 'float32', int: 'int64', string: 'string' }[kind], [-1]]);

  expect(got.status).toEqual([[1, 'AVAILABLE', 0, '']]);

  const probabilities = want.values as number[];
  expect(got.classify).toEqual(
    ROWS.map((_, i) => classes.map((label, k) => [label, Math.fround(probabilities[i * classes.length + k]!)])),
  );
  expect(got.regress).toEqual(ROWS.map((_, i) => Math.fround(probabilities[i * classes.length]!)));

  expect(got.errors.unknown_model![0]).toBe('NOT_FOUND');
  expect(got.errors.unknown_model![1]).toContain('no-such-model');
  expect(got.errors.bad_dtype![0]).toBe('INVALID_ARGUMENT');
  expect(got.errors.bad_dtype![1]).toMatch(/DT_FLOAT/);
}, 10 * 60_000);
