/**
 * Trainer's executor: one training run (train-once.ts, shared with the Tuner's trials),
 * with its checkpoints, CSV log and TensorBoard events in the execution's work folder, so a
 * retry after a killed worker resumes from the last epoch's checkpoint. Then the Model
 * (LayersModel files, signature, the TransformGraph it was trained with) and the ModelRun
 * (history, log, events, best and last checkpoints) are written.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import type { Executor } from '../../src/dsl/component.js';
import { saveModel } from '../../src/ml/fs-model-io.js';
import { buildFromSource, type InputPlan } from '../../src/ml/train/model-module.js';
import type { ModelSource, TrainState } from '../../src/ml/train/stepper.js';
import { readTransformGraph, writeTransformGraph } from '../transform/graph-file.js';
import type { TrainerResolved } from './driver.js';
import { modelSource } from './model-source.js';
import { servingGraph, signatureOf } from './signature.js';
import { CHECKPOINTS_DIR, HISTORY_FILE, MODEL_TRANSFORM_DIR, SIGNATURE_FILE, TENSORBOARD_DIR, TRAINING_LOG, type TrainerComponentSpec } from './spec.js';
import { exists, progressOf, trainOnce } from './train-once.js';

export const trainerExecutor: Executor<TrainerComponentSpec, TrainerResolved> = async ({ inputs, outputs, params, resolved, ctx }) => {
  const graph = await readTransformGraph(inputs.transformGraph[0]!.path);
  const source = modelSource({ graph, params, pipelineRoot: ctx.pipelineRoot, hparams: resolved?.hparams ?? params.hparams });
  const work = ctx.workDir;
  const warm = inputs.baseModel?.[0];
  const { result, state, backend, modelEpoch } = await trainOnce({
    source,
    examples: inputs.examples[0]!,
    params,
    workDir: work,
    ctx,
    onProgress: (p) => ctx.heartbeat(progressOf(p)),
    ...(warm ? { warmStartFrom: warm.path } : {}),
    who: 'Trainer',
  });
  const plan = await writeModel(outputs.model.path, source, state);
  const signature = signatureOf(graph, source, plan);
  await fs.writeFile(path.join(outputs.model.path, SIGNATURE_FILE), JSON.stringify(signature, null, 1));
  // serving and the browser apply this one: the features the model reads, not the label
  await writeTransformGraph(path.join(outputs.model.path, MODEL_TRANSFORM_DIR), servingGraph(graph, source));

  const run = outputs.modelRun.path;
  await fs.writeFile(path.join(run, HISTORY_FILE), JSON.stringify(result.history, null, 1));
  await copyIfThere(path.join(work, TRAINING_LOG), path.join(run, TRAINING_LOG));
  await copyIfThere(path.join(work, TENSORBOARD_DIR), path.join(run, TENSORBOARD_DIR));
  await copyIfThere(path.join(work, CHECKPOINTS_DIR), path.join(run, CHECKPOINTS_DIR));

  // with restored best weights the model is the best epoch's, and so are its metrics
  const kept = result.history.find((h) => h.epoch === modelEpoch) ?? result.history.at(-1);
  const summary = {
    epochs: result.history.length,
    epochsThisAttempt: result.epochsRun,
    resumedFromEpoch: result.resumed ? result.initialEpoch : null,
    stoppedEarly: result.stoppedEarly,
    /** the epoch whose weights the Model holds (1-based, as printed) */
    modelEpoch: (kept?.epoch ?? 0) + 1,
    final: kept?.logs ?? {},
  };
  return {
    model: {
      format: 'tfjs-layers',
      task: source.label.task,
      label: source.label.name,
      ...(source.label.classes ? { classes: source.label.classes } : {}),
      inputs: signature.rawInputs.map((i) => i.name),
      parameters: resolved?.parameters ?? null,
      hparams: source.hparams,
      backend,
      moduleSha256: resolved?.moduleSha256 ?? null,
      warmStartedFrom: warm?.id ?? null,
      transformGraph: inputs.transformGraph[0]!.id,
      ...summary,
    },
    modelRun: { ...summary, backend, replicas: params.strategy?.replicas ?? 1, history: result.history.map((h) => h.logs) },
  };
};

/**
 * Build the model once more in this thread, give it the trained weights (by position: layer
 * names differ per build) and save it. Returns how its inputs are fed, for the signature.
 */
async function writeModel(dir: string, source: ModelSource, state: TrainState): Promise<InputPlan> {
  const built = await buildFromSource(tf, source);
  const tensors = state.weights.map((w) => tf.tensor(w.values, w.shape));
  try {
    built.model.setWeights(tensors);
    await saveModel(built.model, dir);
    return built.plan;
  } finally {
    tf.dispose(tensors);
    built.model.dispose();
    built.optimizer.dispose();
  }
}

async function copyIfThere(from: string, to: string): Promise<void> {
  if (await exists(from)) await fs.cp(from, to, { recursive: true });
}
