/**
 * The penguin model as the Trainer really makes it (ExampleGen -> ... -> Transform -> Trainer
 * executors, no Temporal), its Model folder read back from disk into a predictor, and the raw
 * eval rows as a TF Serving `instances` request would carry them. Shared by the predictor's
 * unit test, the browser test and the backend-agreement script.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { ExamplesProperties } from '../../schemas/artifacts.js';
import { readTransformGraph } from '../../components/transform/graph-file.js';
import { readSplit } from '../../src/io/arrow-shards.js';
import { loadModel } from '../../src/ml/fs-model-io.js';
import { createModelPredictor, parseSignature, type ModelPredictor } from '../../src/ml/model-predictor.js';
import { rawBatchFromArrow, type PreprocessingFn, type RawBatch } from '../../src/ml/transform/index.js';
import { runTrainer, transformedPenguins } from '../components/trainer/helpers.js';

/** Trainer params of the penguin MLP that reaches >0.9 eval accuracy in a few seconds. */
export const PENGUIN_TRAINER = { epochs: 30, batchSize: 16, hparams: { hidden: 16, learningRate: 0.02 } };

/** A raw batch back to row objects: null where a value is missing, lists as arrays. */
export function rowsOfBatch(batch: RawBatch): Record<string, unknown>[] {
  const rows = Array.from({ length: batch.numRows }, () => ({}) as Record<string, unknown>);
  for (const [name, c] of Object.entries(batch.columns))
    for (let i = 0; i < batch.numRows; i++)
      rows[i]![name] = c.kind === 'number' ? (c.valid && c.valid[i] === 0 ? null : c.values[i]) : c.values[i];
  return rows;
}

/** A Model folder on disk bound into a predictor, as serving would load it. */
export async function predictorOfFolder(dir: string): Promise<ModelPredictor> {
  const file = path.join(dir, 'signature.json');
  const signature = parseSignature(JSON.parse(fs.readFileSync(file, 'utf8')), file);
  const graph = await readTransformGraph(path.join(dir, 'transform'));
  return createModelPredictor({ signature, graph, model: await loadModel(dir) });
}

export interface TrainedPenguins {
  /** the Model folder */
  model: string;
  /** the Trainer's Model properties (final metrics in `final`) */
  properties: Record<string, unknown> & { final: Record<string, number> };
  /** the ModelRun's per-epoch metrics */
  history: Record<string, number>[];
  /** the raw eval split, columnar and as rows (label included, as the data has it) */
  evalBatch: RawBatch;
  evalRows: Record<string, unknown>[];
}

/** Train the penguin model (or another module / preprocessing) and read back the raw eval split. */
export async function trainPenguins(
  params: Record<string, unknown> = PENGUIN_TRAINER,
  preprocessing?: PreprocessingFn,
): Promise<TrainedPenguins> {
  const data = await transformedPenguins(preprocessing);
  const { result, model } = await runTrainer(data, params);
  const props = data.raw.properties as ExamplesProperties;
  const evalBatch = rawBatchFromArrow(await readSplit(data.raw.path, props, 'eval'));
  return {
    model,
    properties: result.model as TrainedPenguins['properties'],
    history: (result.modelRun as { history: Record<string, number>[] }).history,
    evalBatch,
    evalRows: rowsOfBatch(evalBatch),
  };
}
