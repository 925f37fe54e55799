/**
 * Tuner's spec: the Trainer's inputs and training params plus a search (space, strategy,
 * trials, objective) in; the best HyperParameters out. Fanned out: one activity per trial, so
 * a worker fleet runs trials in parallel and each trial is retried on its own.
 */
import type { z } from 'zod';
import type { ComponentSpec } from '../../src/dsl/component.js';
import { TrainerParams, trainingRetry, trainingTimeouts } from '../trainer/spec.js';
import { SearchSpec } from './search.js';

export const TunerParams = TrainerParams.omit({ warmStart: true })
  .extend({
    /** what to try and how to judge it; `hparams` are the base every trial's values override */
    search: SearchSpec,
  })
  .strict();
export type TunerParams = z.infer<typeof TunerParams>;

const inputs = { examples: { type: 'Examples' }, transformGraph: { type: 'TransformGraph' } } as const;
const outputs = { bestHyperparameters: 'HyperParameters' } as const;

export const tunerSpec = {
  name: 'Tuner',
  // part of the cache key: bump when the same inputs pick differently
  version: '1',
  inputs,
  outputs,
  params: TunerParams,
  // trials train: a GPU worker takes them when one polls, like the Trainer
  queue: 'gpu',
  // a killed worker's trial resumes from its checkpoint
  retry: trainingRetry,
  timeouts: trainingTimeouts,
  fanOut: true,
} as const satisfies ComponentSpec<typeof inputs, typeof outputs, typeof TunerParams>;

export type TunerComponentSpec = typeof tunerSpec;

/** Files in a HyperParameters artifact. */
export const BEST_HPARAMS_FILE = 'best_hyperparameters.json';
export const TRIALS_FILE = 'trials.json';
/** Per trial in the artifact: `trials/<n>/` with its CSV log and TensorBoard events. */
export const TRIALS_DIR = 'trials';
/** A trial's result in its shard folder. */
export const TRIAL_RESULT_FILE = 'trial.json';
