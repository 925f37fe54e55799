/**
 * The Trainer on the penguins, executor level: it learns the species, writes a Model that
 * loads and predicts like the trained weights, a signature serving can use, a ModelRun with
 * history, CSV log, TensorBoard events and checkpoints; progress heartbeats carry epoch, step,
 * loss and the validation metric.
 */
import fs from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readTransformGraph } from '../../../components/transform/graph-file.js';
import { loadModel } from '../../../src/ml/fs-model-io.js';
import { readSplit } from '../../../src/io/arrow-shards.js';
import { applyTransform, rawBatchFromArrow } from '../../../src/ml/transform/index.js';
import type { ExamplesProperties } from '../../../schemas/artifacts.js';
import { removeTempDirs } from '../example-gen/helpers.js';
import { runTrainer, transformedPenguins } from './helpers.js';

let data: Awaited<ReturnType<typeof transformedPenguins>>;
beforeAll(async () => {
  data = await transformedPenguins();
});
afterAll(removeTempDirs);

describe('Trainer executor', () => {
  it('trains the penguin MLP to high eval accuracy and writes Model and ModelRun', async () => {
    const { result, model, run, beats } = await runTrainer(data, { epochs: 30, batchSize: 16, hparams: { hidden: 16, learningRate: 0.02 } });
    const m = result.model as Record<string, unknown>;
    expect(m.task).toBe('multiclass');
    expect(m.classes).toEqual(['Adelie', 'Gentoo', 'Chinstrap']);
    const final = m.final as Record<string, number>;
    expect(final.val_accuracy).toBeGreaterThan(0.9);
    expect((m.backend as { package: string }).package).toMatch(/tfjs/);

    // the saved model, fed the saved serving transform of the raw eval rows, predicts what was validated
    const signature = JSON.parse(fs.readFileSync(path.join(model, 'signature.json'), 'utf8'));
    expect(signature.rawInputs.map((r: { name: string }) => r.name).sort()).toEqual(['Beak Depth (mm)', 'Beak Length (mm)', 'Body Mass (g)', 'Flipper Length (mm)', 'Island', 'Sex']);
    expect(signature.modelInputs.kind).toBe('concat');
    const graph = await readTransformGraph(path.join(model, 'transform'));
    expect(Object.keys(graph.spec.outputs)).not.toContain('species');
    const props = data.raw.properties as ExamplesProperties;
    const raw = rawBatchFromArrow(await readSplit(data.raw.path, props, 'eval'));
    const cols = applyTransform(graph, raw).columns;
    const order: string[] = signature.modelInputs.features;
    const width = order.reduce((n, f) => n + cols[f]!.width, 0);
    const x = new Float32Array(raw.numRows * width);
    for (let r = 0; r < raw.numRows; r++) {
      let at = r * width;
      for (const f of order) {
        const c = cols[f]!;
        for (let k = 0; k < c.width; k++) x[at++] = Number(c.values[r * c.width + k]);
      }
    }
    const loaded = await loadModel(model);
    const probs = loaded.predict(tf.tensor2d(x, [raw.numRows, width])) as tf.Tensor;
    const predicted = Array.from(await probs.argMax(1).data());
    const species = (raw.columns.Species as { values: readonly (string | null)[] }).values;
    const correct = predicted.filter((p, i) => signature.label.classes[p] === species[i]).length;
    expect(correct / raw.numRows).toBeCloseTo(final.val_accuracy!, 5);

    const history = JSON.parse(fs.readFileSync(path.join(run, 'history.json'), 'utf8'));
    expect(history).toHaveLength(m.epochs as number);
    const csv = fs.readFileSync(path.join(run, 'training.csv'), 'utf8').trim().split('\n');
    expect(csv[0]!.split(',')).toEqual(expect.arrayContaining(['epoch', 'loss', 'accuracy', 'val_loss', 'val_accuracy']));
    expect(csv).toHaveLength(history.length + 1);
    expect(fs.readdirSync(path.join(run, 'tensorboard', 'train')).some((f) => f.startsWith('events.out.tfevents.'))).toBe(true);
    expect(fs.existsSync(path.join(run, 'checkpoints', 'best'))).toBe(true);
    expect(beats.some((b) => /epoch \d+\/30 · step \d+\/\d+ · loss [\d.]+ · val_loss/.test(b.message ?? ''))).toBe(true);
  });

  it('early stopping stops before the epoch budget and restores the best weights', async () => {
    const { result } = await runTrainer(data, { epochs: 200, batchSize: 16, hparams: { learningRate: 0.05 }, earlyStopping: { monitor: 'val_loss', patience: 2 } });
    const m = result.model as { epochs: number; stoppedEarly: boolean; modelEpoch: number; final: Record<string, number> };
    expect(m.stoppedEarly).toBe(true);
    expect(m.epochs).toBeLessThan(200);
    // the Model holds the best epoch's weights, and reports that epoch's metrics
    const history = (result.modelRun as { history: Record<string, number>[] }).history;
    expect(m.modelEpoch).toBeLessThan(m.epochs);
    expect(m.final).toEqual(history[m.modelEpoch - 1]);
    expect(m.final.val_loss).toBe(Math.min(...history.map((h) => h.val_loss!)));
  });
});
