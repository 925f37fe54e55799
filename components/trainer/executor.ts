/**
 * Trainer's executor: the training loop (src/ml/train/loop.ts) over the transformed Examples,
 * with its checkpoints, CSV log and TensorBoard events in the execution's work folder, so a
 * retry after a killed worker resumes from the last epoch's checkpoint. Then the Model
 * (LayersModel files, signature, the TransformGraph it was trained with) and the ModelRun
 * (history, log, events, best and last checkpoints) are written.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import type { ExamplesProperties } from '../../schemas/artifacts.js';
import type { Executor, ExecutorContext } from '../../src/dsl/component.js';
import { DefinitionError } from '../../src/errors.js';
import { loadModel, saveModel } from '../../src/ml/fs-model-io.js';
import { EarlyStopping, ReduceLROnPlateau, type Callback } from '../../src/ml/train/callbacks.js';
import { CsvLogger } from '../../src/ml/train/csv-logger.js';
import { createStepper, type DescribedStepper } from '../../src/ml/train/create-stepper.js';
import { ExamplesDataset } from '../../src/ml/train/dataset.js';
import { train, type Progress } from '../../src/ml/train/loop.js';
import { buildFromSource, type InputPlan } from '../../src/ml/train/model-module.js';
import type { ModelSource, TrainState } from '../../src/ml/train/stepper.js';
import { TensorBoard } from '../../src/ml/train/tensorboard.js';
import { readTransformGraph, writeTransformGraph } from '../transform/graph-file.js';
import type { TrainerResolved } from './driver.js';
import { modelSource } from './model-source.js';
import { servingGraph, signatureOf } from './signature.js';
import { CHECKPOINTS_DIR, HISTORY_FILE, MODEL_TRANSFORM_DIR, SIGNATURE_FILE, TENSORBOARD_DIR, TRAINING_LOG, type TrainerComponentSpec, type TrainerParams } from './spec.js';

export const trainerExecutor: Executor<TrainerComponentSpec, TrainerResolved> = async ({ inputs, outputs, params, resolved, ctx }) => {
  const graph = await readTransformGraph(inputs.transformGraph[0]!.path);
  const source = modelSource({ graph, params, pipelineRoot: ctx.pipelineRoot, hparams: resolved?.hparams ?? params.hparams });
  const examples = inputs.examples[0]!;
  const props = examples.properties as ExamplesProperties;
  const dataset = (split: string, shuffle: boolean) =>
    new ExamplesDataset({
      uri: examples.path,
      props,
      split,
      features: source.features,
      label: source.label.name,
      ...(params.weightFeature ? { weight: params.weightFeature } : {}),
      batchSize: params.batchSize,
      shuffleBuffer: shuffle ? params.shuffleBuffer : 0,
      seed: params.seed,
    });
  if (!props.splitNames.includes(params.trainSplit))
    throw new DefinitionError(`split '${params.trainSplit}' is not in the Examples (${props.splitNames.join(', ')})`, ['params', 'trainSplit']);
  const evalSplit = params.evalSplit && props.splitNames.includes(params.evalSplit) ? params.evalSplit : undefined;
  if (params.evalSplit && !evalSplit) ctx.log(`Trainer: no split '${params.evalSplit}' to validate on; training without validation`);

  const work = ctx.workDir;
  await fs.mkdir(work, { recursive: true });
  const checkpointDir = path.join(work, CHECKPOINTS_DIR);
  const stepper = await createStepper(source, { ...(params.strategy ? { strategy: params.strategy } : {}), ...(params.backend ? { backend: params.backend } : {}) });
  ctx.log(`Trainer: ${source.features.length} input features, ${source.label.task} label ${source.label.name}; backend ${stepper.backend.package} (${stepper.backend.reason})`);
  try {
    const warm = inputs.baseModel?.[0];
    // a resumed attempt has a checkpoint: it carries the warm-started weights already
    if (warm && !(await exists(path.join(checkpointDir, 'last')))) await warmStart(stepper, warm.path);
    const callbacks = callbacksOf(params, work, !!evalSplit);
    const result = await train({
      stepper,
      train: dataset(params.trainSplit, true),
      ...(evalSplit ? { validation: dataset(evalSplit, false) } : {}),
      epochs: params.epochs,
      ...(params.stepsPerEpoch ? { stepsPerEpoch: params.stepsPerEpoch } : {}),
      callbacks,
      checkpointDir,
      ...(params.earlyStopping ? { checkpoint: { monitor: params.earlyStopping.monitor } } : {}),
      signal: ctx.signal,
      onProgress: (p) => ctx.heartbeat(progressOf(p)),
      seed: params.seed,
    });
    const plan = await writeModel(outputs.model.path, source, await stepper.getState());
    const signature = signatureOf(graph, source, plan);
    await fs.writeFile(path.join(outputs.model.path, SIGNATURE_FILE), JSON.stringify(signature, null, 1));
    // serving and the browser apply this one: the features the model reads, not the label
    await writeTransformGraph(path.join(outputs.model.path, MODEL_TRANSFORM_DIR), servingGraph(graph, source));

    const run = outputs.modelRun.path;
    await fs.writeFile(path.join(run, HISTORY_FILE), JSON.stringify(result.history, null, 1));
    await copyIfThere(path.join(work, TRAINING_LOG), path.join(run, TRAINING_LOG));
    await copyIfThere(path.join(work, TENSORBOARD_DIR), path.join(run, TENSORBOARD_DIR));
    await copyIfThere(checkpointDir, path.join(run, CHECKPOINTS_DIR));

    // with restored best weights the model is the best epoch's, and so are its metrics
    const early = callbacks.find((c): c is EarlyStopping => c instanceof EarlyStopping);
    const kept = params.earlyStopping?.restoreBestWeights && early ? result.history.find((h) => h.epoch === early.bestEpochIndex) : undefined;
    const last = (kept ?? result.history.at(-1))?.logs ?? {};
    const backend = stepper.description;
    const summary = {
      epochs: result.history.length,
      epochsThisAttempt: result.epochsRun,
      resumedFromEpoch: result.resumed ? result.initialEpoch : null,
      stoppedEarly: result.stoppedEarly,
      /** the epoch whose weights the Model holds (1-based, as printed) */
      modelEpoch: (kept ?? result.history.at(-1))!.epoch + 1,
      final: last,
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
  } finally {
    await stepper.dispose();
  }
};

function callbacksOf(params: TrainerParams, work: string, validation: boolean): Callback[] {
  const valOnly = (monitor: string) => {
    if (monitor.startsWith('val_') && !validation)
      throw new DefinitionError(`monitor '${monitor}' needs validation data; set evalSplit or monitor 'loss'`, ['params']);
    return monitor;
  };
  const out: Callback[] = [];
  if (params.earlyStopping) out.push(new EarlyStopping({ ...params.earlyStopping, monitor: valOnly(params.earlyStopping.monitor) }));
  if (params.reduceLrOnPlateau) out.push(new ReduceLROnPlateau({ ...params.reduceLrOnPlateau, monitor: valOnly(params.reduceLrOnPlateau.monitor) }));
  out.push(new CsvLogger({ file: path.join(work, TRAINING_LOG) }));
  out.push(new TensorBoard({ logDir: path.join(work, TENSORBOARD_DIR) }));
  return out;
}

/** What `tsfx run` draws for a training node: epoch, step, loss and the last validation metric. */
function progressOf(p: Progress): Parameters<ExecutorContext['heartbeat']>[0] {
  const val = Object.entries(p.last ?? {}).filter(([k]) => k.startsWith('val_'));
  const shown = [`epoch ${p.epoch + 1}/${p.epochs}`, `step ${p.step}/${p.stepsPerEpoch}`, `loss ${p.loss.toPrecision(4)}`, ...val.map(([k, v]) => `${k} ${v.toPrecision(4)}`)];
  return { done: p.epoch * p.stepsPerEpoch + p.step, total: p.epochs * p.stepsPerEpoch, unit: 'steps', message: shown.join(' · ') };
}

/** The base model's weights as the starting point (same architecture required; the optimizer starts fresh). */
async function warmStart(stepper: DescribedStepper, modelDir: string): Promise<void> {
  const base = await loadModel(modelDir);
  try {
    const now = await stepper.getState();
    const weights = base.getWeights();
    const shapes = (s: number[][]) => s.map((x) => `[${x.join(',')}]`).join(' ');
    if (shapes(weights.map((w) => w.shape)) !== shapes(now.weights.map((w) => w.shape)))
      throw new DefinitionError(
        `warm start: the base model's weights (${shapes(weights.map((w) => w.shape))}) do not fit this model's (${shapes(now.weights.map((w) => w.shape))})`,
        ['params', 'warmStart'],
      );
    const values = await Promise.all(weights.map((w) => w.data() as Promise<Float32Array>));
    await stepper.setState({ ...now, weights: now.weights.map((w, i) => ({ ...w, values: Float32Array.from(values[i]!) })) });
  } finally {
    base.dispose();
  }
}

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

const exists = (p: string) => fs.stat(p).then(() => true, () => false);

async function copyIfThere(from: string, to: string): Promise<void> {
  if (await exists(from)) await fs.cp(from, to, { recursive: true });
}
