/**
 * The Model artifact loads in real TensorFlow: a Trainer Model folder (the files the Pusher
 * copies into a version folder) converted by PyPI's `tensorflowjs` (tfjs_layers_model -> Keras
 * HDF5), loaded with tf_keras and with Keras 3 on TensorFlow 2.20, gives tfjs's predictions to
 * 1e-5 on the same transformed eval rows.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { modelInputsOf } from '../../src/ml/model-predictor.js';
import { applyTransform } from '../../src/ml/transform/index.js';
import { predictorOfFolder, trainPenguins } from '../helpers/penguin-model.js';
import { TFJS_REQUIREMENTS } from '../helpers/python-pins.js';

const run = promisify(execFile);
const repo = fileURLToPath(new URL('../../', import.meta.url));
const here = fileURLToPath(new URL('.', import.meta.url));

let python: string;
let dir: string;

beforeAll(async () => {
  const { stdout } = await run('bash', [path.join(repo, 'scripts/python-venv.sh'), 'tfjs', ...TFJS_REQUIREMENTS], {
    cwd: repo,
    maxBuffer: 64 << 20,
  });
  python = stdout.trim().split('\n').pop()!;
  dir = await mkdtemp(path.join(tmpdir(), 'tsfx-tfjs-keras-'));
}, 20 * 60_000);

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

interface KerasSide {
  inputs: string[];
  version: string;
  predictions: number[][];
}

it(
  'a trained penguin Model converted by tensorflowjs predicts in Keras as in tfjs (1e-5)',
  async () => {
    const trained = await trainPenguins();
    const predictor = await predictorOfFolder(trained.model);
    // the same transformed inputs both sides get: the saved transform applied by tsfx
    const inputs = modelInputsOf(
      predictor.signature,
      predictor.model,
      applyTransform(predictor.graph, trained.evalBatch),
    );
    const rows = trained.evalBatch.numRows;
    // modelInputsOf gives one flat typed array per input, rows * width
    const feeds = Object.fromEntries(
      Object.entries(inputs).map(([name, v]) => {
        const flat = Array.from(v as ArrayLike<number>);
        return [name, { shape: [rows, flat.length / rows], values: flat }];
      }),
    );
    const inputsFile = path.join(dir, 'inputs.json');
    fs.writeFileSync(inputsFile, JSON.stringify(feeds));
    const tfjs = await predictor.predictBatch(trained.evalBatch);

    const { stdout } = await run(
      python,
      [path.join(here, 'tfjs_to_keras.py'), path.join(trained.model, 'model.json'), inputsFile, dir],
      {
        cwd: here,
        maxBuffer: 256 << 20,
        env: { ...process.env, TF_CPP_MIN_LOG_LEVEL: '3', CUDA_VISIBLE_DEVICES: '' },
      },
    );
    const keras = JSON.parse(stdout.trim().split('\n').pop()!) as {
      tensorflowjs: string;
      tensorflow: string;
      tf_keras: KerasSide;
      keras3: KerasSide;
    };
    expect(keras.tensorflowjs).toBe('4.22.0');
    expect(keras.tensorflow).toBe('2.20.0');
    for (const side of [keras.tf_keras, keras.keras3]) {
      // Keras fed each tfjs input by its name
      expect(side.inputs).toEqual(Object.keys(inputs));
      expect(side.predictions).toHaveLength(rows);
      const flat = side.predictions.flat();
      expect(flat).toHaveLength(tfjs.values.length);
      let worst = 0;
      flat.forEach((v, i) => (worst = Math.max(worst, Math.abs(v - tfjs.values[i]!))));
      console.log(`Keras ${side.version} vs tfjs on ${rows} eval rows: worst |difference| ${worst.toExponential(2)}`);
      expect(worst, `${side.version}: worst |keras - tfjs|`).toBeLessThan(1e-5);
      // and the predictions are a real model's: class probabilities that pick several classes
      const argmax = side.predictions.map((r) => r.indexOf(Math.max(...r)));
      expect(new Set(argmax).size).toBeGreaterThan(1);
    }
  },
  10 * 60_000,
);
