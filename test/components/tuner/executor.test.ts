/**
 * The Tuner on the penguins, executor level (no Temporal): a small grid trains every trial,
 * the best is the one the objective and its direction pick from the trials' own histories,
 * a trial whose hparams the model module refuses is recorded as failed (objective null) while
 * the others go on, all trials failing fails the Tuner naming each error, a trial cut short
 * resumes from its checkpoint, and the driver refuses an objective or hparam that can't be.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { tunerDriver } from '../../../components/tuner/driver.js';
import { tunerExecutor, tunerFanOut } from '../../../components/tuner/executor.js';
import { TunerParams } from '../../../components/tuner/spec.js';
import { trialWorkDir, type TrialResult } from '../../../components/tuner/trial.js';
import { readCheckpoint } from '../../../src/ml/train/checkpoint.js';
import { showHyperParameters } from '../../../src/cli/show-model.js';
import { TrialsFailedError } from '../../../src/errors.js';
import { makeCtx, removeTempDirs, tempDir } from '../example-gen/helpers.js';
import { pipelinesDir, transformedPenguins } from '../trainer/helpers.js';

let data: Awaited<ReturnType<typeof transformedPenguins>>;
beforeAll(async () => {
  data = await transformedPenguins();
});
afterAll(removeTempDirs);

const parse = (p: Record<string, unknown>) => TunerParams.parse({ module: 'penguin-model.ts', label: 'species', epochs: 4, batchSize: 16, ...p });
const inputs = () => ({ examples: [data.examples], transformGraph: [data.transformGraph] });
const driver = (params: TunerParams) =>
  tunerDriver({ params, inputs: inputs() as never, pipelineRoot: pipelinesDir, pipelineName: 'p', nodeId: 'Tuner', artifacts: undefined as never });

async function runTuner(p: Record<string, unknown>) {
  const params = parse(p);
  const { resolved } = await driver(params);
  const out = tempDir('hparams');
  const { ctx, logs } = makeCtx(pipelinesDir);
  const result = await tunerExecutor({ inputs: inputs(), outputs: { bestHyperparameters: { type: 'HyperParameters', uri: out, path: out } }, params, resolved, ctx });
  const trials = JSON.parse(fs.readFileSync(path.join(out, 'trials.json'), 'utf8')) as TrialResult[];
  return { props: result.bestHyperparameters as Record<string, unknown> & { values: Record<string, unknown> }, trials, out, logs };
}

/** The objective of a trial recomputed from its history: the best epoch's value. */
const bestOf = (t: TrialResult, metric: string, dir: 'min' | 'max') => {
  const vs = t.history.map((h) => h[metric]!);
  return dir === 'min' ? Math.min(...vs) : Math.max(...vs);
};

describe('Tuner executor', () => {
  it('grid: every trial trains, the lowest val_loss wins, a trial the module refuses is recorded and skipped', async () => {
    const { props, trials, out } = await runTuner({
      hparams: { hidden: 8 },
      search: { strategy: 'grid', trials: 10, space: { hidden: { values: [16, 0] }, learningRate: { values: [1e-5, 0.05] } }, objective: { metric: 'val_loss' } },
    });
    expect(trials.map((t) => t.values)).toEqual([
      { hidden: 16, learningRate: 1e-5 },
      { hidden: 16, learningRate: 0.05 },
      { hidden: 0, learningRate: 1e-5 },
      { hidden: 0, learningRate: 0.05 },
    ]);
    // hidden 0 fails the module's schema (positive int): recorded, named, no objective
    for (const t of trials.slice(2)) {
      expect(t.objective).toBeNull();
      expect(t.error).toMatch(/DefinitionError: hparams\.hidden: hparams do not fit the schema/);
    }
    const ok = trials.slice(0, 2);
    for (const t of ok) {
      expect(t.history).toHaveLength(4);
      expect(t.objective).toBe(bestOf(t, 'val_loss', 'min'));
      expect(t.history[t.bestEpoch!]!.val_loss).toBe(t.objective);
    }
    const want = ok.reduce((a, b) => (b.objective! < a.objective! ? b : a));
    expect(props.bestTrial).toBe(want.trial);
    // at 1e-5 four epochs barely move the weights; 0.05 learns
    expect(props.bestTrial).toBe(1);
    expect(props.values).toEqual({ hidden: 16, learningRate: 0.05 });
    expect(props.objective).toEqual({ metric: 'val_loss', direction: 'min' });
    expect((props.trials as { trial: number; objective: number | null; error?: string }[]).map((t) => [t.trial, t.objective, !!t.error])).toEqual(
      trials.map((t) => [t.trial, t.objective, t.objective === null]),
    );
    expect(JSON.parse(fs.readFileSync(path.join(out, 'best_hyperparameters.json'), 'utf8'))).toEqual(props.values);
    // each trained trial's CSV log (a header and one row per epoch) and TensorBoard events
    expect(fs.readFileSync(path.join(out, 'trials', '1', 'training.csv'), 'utf8').trim().split('\n')).toHaveLength(5);
    expect(fs.readdirSync(path.join(out, 'trials', '1', 'tensorboard')).length).toBeGreaterThan(0);

    // tsfx show's view of these properties: failed trials in the table, their errors below it
    const printed: string[] = [];
    const write = vi.spyOn(process.stdout, 'write').mockImplementation((s) => (printed.push(String(s)), true));
    try {
      showHyperParameters({ id: 7, name: 'Tuner.bestHyperparameters', type: 'HyperParameters', uri: out, properties: props } as never, {});
    } finally {
      write.mockRestore();
    }
    const lines = printed.join('').split('\n');
    expect(lines[0]).toBe('#7 HyperParameters Tuner.bestHyperparameters: best {"hidden":16,"learningRate":0.05} by min val_loss');
    expect(lines.slice(2, 6).map((l) => l.trim().split(/\s+/).slice(-1)[0])).toEqual([expect.any(String), 'best', 'failed', 'failed']);
    expect(lines[6]).toMatch(/^trial 2 failed: DefinitionError: hparams\.hidden/);
    expect(lines[7]).toMatch(/^trial 3 failed: DefinitionError: hparams\.hidden/);
  }, 120_000);

  it('the direction decides: max of val_loss picks the other trial, and the base hparams stay in the values', async () => {
    const { props, trials } = await runTuner({
      hparams: { hidden: 8 },
      search: { strategy: 'grid', trials: 2, space: { learningRate: { values: [1e-5, 0.05] } }, objective: { metric: 'val_loss', direction: 'max' } },
    });
    const want = trials.reduce((a, b) => (b.objective! > a.objective! ? b : a));
    for (const t of trials) expect(t.objective).toBe(bestOf(t, 'val_loss', 'max'));
    expect(props.bestTrial).toBe(want.trial);
    expect(props.bestTrial).toBe(0);
    expect(props.values).toEqual({ hidden: 8, learningRate: 1e-5 });
  }, 120_000);

  it('every trial failing fails the Tuner, naming each trial and its error', async () => {
    const run = runTuner({ search: { strategy: 'grid', trials: 2, space: { hidden: { values: [0, -3] } } } });
    await expect(run).rejects.toBeInstanceOf(TrialsFailedError);
    await expect(run).rejects.toThrow(/every one of the 2 trial\(s\) failed:\n {2}trial 0 \{"hidden":0\}: DefinitionError: hparams\.hidden.*\n {2}trial 1 \{"hidden":-3\}: DefinitionError/);
  });

  it('a trial cut short mid-training resumes from its checkpoint on the next attempt', async () => {
    const params = parse({ epochs: 5, search: { strategy: 'grid', trials: 1, space: { hidden: { values: [8] } } } });
    const { resolved } = await driver(params);
    const [task] = await tunerFanOut.plan({ inputs: inputs(), params, resolved, ctx: makeCtx(pipelinesDir).ctx, round: 0, previous: [] });
    const stop = new AbortController();
    const first = makeCtx(pipelinesDir, stop.signal);
    first.ctx.heartbeat = (p) => {
      if (p.message?.startsWith('trial 0: epoch 3/5')) stop.abort(new Error('worker lost'));
    };
    const attempt1 = tempDir('shard-a1');
    await expect(tunerFanOut.run({ inputs: inputs(), params, resolved, ctx: first.ctx, round: 0, previous: [], task, index: 0, path: attempt1 })).rejects.toThrow(/worker lost/);
    expect(fs.existsSync(path.join(attempt1, 'trial.json'))).toBe(false);
    // the trial's checkpoints live in the execution's work folder, which every attempt shares
    const kept = (await readCheckpoint(path.join(trialWorkDir(first.ctx.workDir, 0), 'checkpoints'), 'last'))!;
    expect(kept.epoch).toBeGreaterThanOrEqual(1);
    expect(kept.epoch).toBeLessThan(4);

    const second = makeCtx(pipelinesDir);
    second.ctx.workDir = first.ctx.workDir;
    const attempt2 = tempDir('shard-a2');
    await tunerFanOut.run({ inputs: inputs(), params, resolved, ctx: second.ctx, round: 0, previous: [], task, index: 0, path: attempt2 });
    const result = JSON.parse(fs.readFileSync(path.join(attempt2, 'trial.json'), 'utf8')) as TrialResult;
    expect(result.epochs).toBe(5);
    expect(result.epochsThisAttempt).toBe(5 - (kept.epoch + 1));
    expect(result.history.slice(0, kept.epoch + 1)).toEqual(kept.history.map((h) => h.logs));
  }, 120_000);

  it('the driver refuses an objective training never reports and a hyperparameter the module lacks', async () => {
    await expect(driver(parse({ search: { trials: 2, space: { hidden: { values: [8] } }, objective: { metric: 'val_acc' } } }))).rejects.toThrow(
      /params\.search\.objective\.metric: objective 'val_acc' is not a metric training reports here \(it reports loss, accuracy, val_loss, val_accuracy\)/,
    );
    await expect(driver(parse({ evalSplit: null, search: { trials: 2, space: { hidden: { values: [8] } }, objective: { metric: 'val_accuracy' } } }))).rejects.toThrow(/val_ metrics need/);
    await expect(driver(parse({ search: { trials: 2, space: { units: { values: [8] } } } }))).rejects.toThrow(
      /params\.search\.space\.units: 'units' is not a hyperparameter of .*penguin-model\.ts \(it has hidden, learningRate\)/,
    );
  });
});
