/**
 * Trainer's spec: transformed Examples and the TransformGraph in (optionally the Tuner's best
 * HyperParameters and a warm-start base Model), a Model (tfjs LayersModel + signature + the
 * transform it was trained with) and a ModelRun (history, CSV log, TensorBoard events,
 * checkpoints) out. A gpu component: it runs on queue gpu when a GPU worker polls it.
 */
import { z } from 'zod';
import { defaultRetry, type ComponentSpec } from '../../src/dsl/component.js';

const monitor = z.string().min(1).default('val_loss');
const mode = z.enum(['auto', 'min', 'max']).default('auto');

export const EarlyStoppingParams = z
  .object({ monitor, minDelta: z.number().nonnegative().default(0), patience: z.number().int().nonnegative().default(3), mode, restoreBestWeights: z.boolean().default(true) })
  .strict();

export const ReduceLrParams = z
  .object({
    monitor,
    factor: z.number().gt(0).lt(1).default(0.1),
    patience: z.number().int().nonnegative().default(2),
    mode,
    minDelta: z.number().nonnegative().default(1e-4),
    cooldown: z.number().int().nonnegative().default(0),
    minLr: z.number().nonnegative().default(0),
  })
  .strict();

export const TrainerParams = z
  .object({
    /** the model module (TS or JS), relative to the pipeline file's folder; its content is part of the cache key */
    module: z.string().min(1),
    /** hyperparameters, checked against the module's `hparams` schema before training */
    hparams: z.record(z.string(), z.unknown()).default({}),
    /** the transformed feature the model predicts */
    label: z.string().min(1),
    /** default: multiclass/binary for a vocabulary label (by its size), regression for a number */
    task: z.enum(['binary', 'multiclass', 'regression']).optional(),
    /** transformed features the model does not read (ids, weights); the label is always left out */
    excludeFeatures: z.array(z.string()).default([]),
    /** a per-example weight feature */
    weightFeature: z.string().optional(),
    trainSplit: z.string().default('train'),
    /** validation after every epoch; null: none */
    evalSplit: z.string().nullable().default('eval'),
    epochs: z.number().int().positive().default(10),
    /** a step budget per epoch instead of one pass over the data */
    stepsPerEpoch: z.number().int().positive().optional(),
    batchSize: z.number().int().positive().default(32),
    shuffleBuffer: z.number().int().nonnegative().default(10_000),
    seed: z.number().int().default(42),
    earlyStopping: EarlyStoppingParams.optional(),
    reduceLrOnPlateau: ReduceLrParams.optional(),
    /** data-parallel training on this machine: n replicas in worker threads (MirroredStrategy's role) */
    strategy: z.object({ replicas: z.number().int().min(1).max(64) }).strict().optional(),
    /** start the backend search at this package */
    backend: z.enum(['tfjs-node-gpu', 'tfjs-node', 'tfjs-backend-wasm', 'tfjs-backend-cpu']).optional(),
    /** start from the weights of the pipeline's latest blessed model (TFX's base_model) */
    warmStart: z.boolean().default(false),
  })
  .strict();
export type TrainerParams = z.infer<typeof TrainerParams>;

const inputs = {
  examples: { type: 'Examples' },
  transformGraph: { type: 'TransformGraph' },
  hyperparameters: { type: 'HyperParameters', optional: true },
  baseModel: { type: 'Model', optional: true },
} as const;
const outputs = { model: 'Model', modelRun: 'ModelRun' } as const;

/** Training's retries and timeouts (Trainer, Tuner): a killed worker resumes from its checkpoint, so more attempts cost little. */
export const trainingRetry = { ...defaultRetry, maximumAttempts: 5 };
export const trainingTimeouts = { startToCloseMs: 24 * 3_600_000, heartbeatMs: 30_000 };

export const trainerSpec = {
  name: 'Trainer',
  // part of the cache key: bump when the same inputs train a different model
  version: '1',
  inputs,
  outputs,
  params: TrainerParams,
  queue: 'gpu',
  retry: trainingRetry,
  timeouts: trainingTimeouts,
} as const satisfies ComponentSpec<typeof inputs, typeof outputs, typeof TrainerParams>;

export type TrainerComponentSpec = typeof trainerSpec;

/** Files in a Model artifact beside model.json / weights.bin. */
export const SIGNATURE_FILE = 'signature.json';
export const MODEL_TRANSFORM_DIR = 'transform';
/** Files in a ModelRun artifact. */
export const HISTORY_FILE = 'history.json';
export const TRAINING_LOG = 'training.csv';
export const TENSORBOARD_DIR = 'tensorboard';
export const CHECKPOINTS_DIR = 'checkpoints';
