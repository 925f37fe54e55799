/**
 * Tuner's fan-out and executor. Plan: one task per trial (planTrials, the same list on a
 * retried plan). Run: one activity per trial trains it (trial.ts) and writes its result into
 * the trial's shard folder. The executor reads the results, picks the best trial by the
 * objective and its direction (ties: the earlier trial), and writes the HyperParameters: the
 * base hparams merged with the best trial's values, plus every trial's record. Called without
 * shards (tests), it runs the trials itself, one after another.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Executor, FanOut, ShardOutput } from '../../src/dsl/component.js';
import { TrialsFailedError } from '../../src/errors.js';
import { readTransformGraph } from '../transform/graph-file.js';
import { TENSORBOARD_DIR, TRAINING_LOG } from '../trainer/spec.js';
import { exists } from '../trainer/train-once.js';
import type { TunerResolved } from './driver.js';
import { objectiveDirection, planTrials } from './search.js';
import { BEST_HPARAMS_FILE, TRIALS_DIR, TRIALS_FILE, TRIAL_RESULT_FILE, type TunerComponentSpec, type TunerParams } from './spec.js';
import { runTrial, type TrialResult, type TrialTask } from './trial.js';

const tasksOf = (params: TunerParams): TrialTask[] => planTrials(params.search).map((values, trial) => ({ trial, values }));

export const tunerFanOut: FanOut<TunerComponentSpec, TunerResolved> = {
  async plan({ params }) {
    return tasksOf(params);
  },
  async run({ inputs, params, ctx, task, path: out }) {
    const graph = await readTransformGraph(inputs.transformGraph[0]!.path);
    await runTrial({ task: task as TrialTask, params, graph, examples: inputs.examples[0]!, ctx, out });
  },
};

export const tunerExecutor: Executor<TunerComponentSpec, TunerResolved> = async ({ inputs, outputs, params, ctx, shards }) => {
  const done = shards ?? (await runTrialsHere());
  const results: { result: TrialResult; dir: string }[] = [];
  for (const s of done) {
    const result = JSON.parse(await fs.readFile(path.join(s.path, TRIAL_RESULT_FILE), 'utf8')) as TrialResult;
    results.push({ result, dir: s.path });
  }
  const objective = { metric: params.search.objective.metric, direction: objectiveDirection(params.search.objective) };
  const scored = results.filter((r) => r.result.objective !== null);
  if (!scored.length)
    throw new TrialsFailedError(
      `every one of the ${results.length} trial(s) failed:\n${results.map((r) => `  trial ${r.result.trial} ${JSON.stringify(r.result.values)}: ${r.result.error ?? 'no objective'}`).join('\n')}`,
    );
  const sign = objective.direction === 'min' ? 1 : -1;
  const best = scored.reduce((a, b) => (sign * (b.result.objective! - a.result.objective!) < 0 ? b : a)).result;
  const values = { ...params.hparams, ...best.values };

  const dir = outputs.bestHyperparameters.path;
  await fs.writeFile(path.join(dir, BEST_HPARAMS_FILE), JSON.stringify(values, null, 1));
  await fs.writeFile(path.join(dir, TRIALS_FILE), JSON.stringify(results.map((r) => r.result), null, 1));
  // each trial's CSV log and TensorBoard events: `tensorboard --logdir <artifact>/trials` compares them
  for (const { result, dir: from } of results) {
    for (const name of [TRAINING_LOG, TENSORBOARD_DIR]) {
      if (await exists(path.join(from, name))) await fs.cp(path.join(from, name), path.join(dir, TRIALS_DIR, String(result.trial), name), { recursive: true });
    }
  }
  const failed = results.length - scored.length;
  ctx.log(`Tuner: ${results.length} trial(s), ${failed} failed; best trial ${best.trial} ${JSON.stringify(best.values)} with ${objective.metric} ${best.objective}`);
  return {
    bestHyperparameters: {
      values,
      objective,
      bestTrial: best.trial,
      bestObjective: best.objective,
      strategy: params.search.strategy,
      trials: results.map(({ result: r }) => ({
        trial: r.trial,
        values: r.values,
        objective: r.objective,
        ...(r.bestEpoch !== null ? { bestEpoch: r.bestEpoch } : {}),
        ...(r.error ? { error: r.error } : {}),
      })),
    },
  };

  async function runTrialsHere(): Promise<ShardOutput[]> {
    const graph = await readTransformGraph(inputs.transformGraph[0]!.path);
    const out: ShardOutput[] = [];
    for (const [index, task] of tasksOf(params).entries()) {
      const shard = path.join(ctx.workDir, 'shards', String(index));
      await fs.mkdir(shard, { recursive: true });
      await runTrial({ task, params, graph, examples: inputs.examples[0]!, ctx, out: shard });
      out.push({ round: 0, index, task, path: shard });
    }
    return out;
  }
};
