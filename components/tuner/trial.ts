/**
 * One Tuner trial: the Trainer's training run (train-once.ts) with the base hparams overridden
 * by the trial's values, its checkpoints in a work folder of its own (shared by the trial's
 * attempts, so a retried trial resumes), scored by the objective metric at its best epoch
 * (Keras Tuner's habit). A trial the user's code, data or hparams make fail is a result, not
 * a crash: it records the error with objective null, so one bad corner of the space does not
 * sink the search. Retryable failures (I/O, a lost worker) still throw, for Temporal to retry.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import type { TransformGraph } from '../../schemas/transform-graph.js';
import type { ExecutorContext, InputArtifact } from '../../src/dsl/component.js';
import { TsfxError } from '../../src/errors.js';
import { modelSource } from '../trainer/model-source.js';
import { TENSORBOARD_DIR, TRAINING_LOG } from '../trainer/spec.js';
import { exists, progressOf, trainOnce } from '../trainer/train-once.js';
import type { TrialValues } from './search.js';
import { objectiveDirection } from './search.js';
import { TRIAL_RESULT_FILE, type TunerParams } from './spec.js';

/** A planned trial: what crosses Temporal to the trial's activity. */
export interface TrialTask {
  trial: number;
  values: TrialValues;
}

/** What a trial leaves in its shard folder (trial.json), and what trials.json lists. */
export interface TrialResult {
  trial: number;
  values: TrialValues;
  /** the base hparams merged with the trial's values: what the model was built with */
  hparams: Record<string, unknown>;
  /** the objective metric at the best epoch; null when the trial failed */
  objective: number | null;
  /** the epoch (from 0) the objective was taken at */
  bestEpoch: number | null;
  epochs: number;
  /** epochs the attempt that finished ran (fewer than `epochs` when it resumed a checkpoint) */
  epochsThisAttempt: number;
  history: Record<string, number>[];
  backend?: string;
  /** why the trial failed ("DefinitionError: hparams ...") */
  error?: string;
}

export interface TrialArgs {
  task: TrialTask;
  params: TunerParams;
  graph: TransformGraph;
  examples: InputArtifact<'Examples'>;
  ctx: Pick<ExecutorContext, 'pipelineRoot' | 'workDir' | 'heartbeat' | 'log' | 'signal'>;
  /** the trial's output folder (its shard folder) */
  out: string;
}

/** The trial's checkpoints, CSV log and events: in the execution's work folder, which every attempt shares. */
export const trialWorkDir = (workDir: string, trial: number) => path.join(workDir, `trial-${trial}`);

/** Run one trial and write its trial.json (and CSV log, TensorBoard events) into `out`. */
export async function runTrial(a: TrialArgs): Promise<TrialResult> {
  const { task, params, ctx } = a;
  const hparams = { ...params.hparams, ...task.values };
  const who = `Tuner trial ${task.trial}`;
  const work = trialWorkDir(ctx.workDir, task.trial);
  let result: TrialResult;
  try {
    const source = modelSource({ graph: a.graph, params, pipelineRoot: ctx.pipelineRoot, hparams });
    const run = await trainOnce({
      source,
      examples: a.examples,
      params,
      workDir: work,
      ctx,
      onProgress: (p) => ctx.heartbeat(progressOf(p, `trial ${task.trial}: `)),
      who,
    });
    const history = run.result.history.map((h) => h.logs);
    const best = bestEpoch(history, params.search.objective);
    result = {
      trial: task.trial,
      values: task.values,
      hparams,
      objective: best.value,
      bestEpoch: best.epoch,
      epochs: history.length,
      epochsThisAttempt: run.result.epochsRun,
      history,
      backend: run.backend.package,
      ...(best.error ? { error: best.error } : {}),
    };
  } catch (err) {
    // a canceled run, or a failure another attempt may not meet: Temporal's to handle
    if (ctx.signal.aborted || !(err instanceof TsfxError) || err.retryable) throw err;
    result = { trial: task.trial, values: task.values, hparams, objective: null, bestEpoch: null, epochs: 0, epochsThisAttempt: 0, history: [], error: `${err.name}: ${err.message}` };
  }
  ctx.log(`${who} ${JSON.stringify(task.values)}: ${result.objective === null ? `failed (${result.error})` : `${params.search.objective.metric} ${result.objective}`}`);
  for (const name of [TRAINING_LOG, TENSORBOARD_DIR]) {
    if (await exists(path.join(work, name))) await fs.cp(path.join(work, name), path.join(a.out, name), { recursive: true });
  }
  await fs.writeFile(path.join(a.out, TRIAL_RESULT_FILE), JSON.stringify(result, null, 1));
  return result;
}

/** The best finite value of the objective metric over the epochs, by its direction. */
export function bestEpoch(history: Record<string, number>[], objective: TunerParams['search']['objective']): { value: number | null; epoch: number | null; error?: string } {
  const sign = objectiveDirection(objective) === 'min' ? 1 : -1;
  let best: { value: number; epoch: number } | undefined;
  history.forEach((logs, epoch) => {
    const v = logs[objective.metric];
    if (v !== undefined && Number.isFinite(v) && (!best || sign * (v - best.value) < 0)) best = { value: v, epoch };
  });
  if (best) return best;
  const has = [...new Set(history.flatMap((l) => Object.keys(l)))];
  return { value: null, epoch: null, error: `no epoch has a finite '${objective.metric}' (the history has ${has.join(', ') || 'nothing'})` };
}
