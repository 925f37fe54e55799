import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureBackend } from '../../../src/ml/backend.js';
import { EarlyStopping, ReduceLROnPlateau, type Callback } from '../../../src/ml/train/callbacks.js';
import { readCheckpoint } from '../../../src/ml/train/checkpoint.js';
import { ExamplesDataset } from '../../../src/ml/train/dataset.js';
import { NonFiniteLossError, train, type Progress, type TrainOptions } from '../../../src/ml/train/loop.js';
import type { TrainBatch } from '../../../src/ml/train/stepper.js';
import { generateExamples, TestStepper, tmpDir, type GeneratedExamples } from './helpers.js';

let trainData: GeneratedExamples;
let valData: GeneratedExamples;

beforeAll(async () => {
  await ensureBackend();
  trainData = await generateExamples({ rows: 320, rowsPerShard: 100, seed: 1 });
  valData = await generateExamples({ rows: 80, rowsPerShard: 100, seed: 2 });
});

const datasets = () => ({
  train: new ExamplesDataset({
    uri: trainData.uri,
    props: trainData.props,
    split: 'train',
    features: trainData.features,
    label: 'y',
    batchSize: 32,
    shuffleBuffer: 64,
    seed: 11,
  }),
  validation: new ExamplesDataset({
    uri: valData.uri,
    props: valData.props,
    split: 'train',
    features: valData.features,
    label: 'y',
    batchSize: 64,
  }),
});
const stepper = () => new TestStepper({ features: trainData.features, task: 'binary', seed: 3, learningRate: 0.05 });

/** Records the epochs it sees; aborts a controller after epoch `abortAfter`. */
class Recorder implements Callback {
  readonly name = 'recorder';
  epochs: number[] = [];
  constructor(private readonly abort?: { after: number; controller: AbortController }) {}
  onEpochEnd(epoch: number): void {
    this.epochs.push(epoch);
    if (this.abort && epoch === this.abort.after) this.abort.controller.abort();
  }
}

describe('train', () => {
  it('runs epochs with validation, Keras-style logs, history and progress reports', async () => {
    const s = stepper();
    const progress: Progress[] = [];
    const r = await train({
      stepper: s,
      ...datasets(),
      epochs: 3,
      progressEvery: 4,
      onProgress: (p) => void progress.push(p),
    });
    expect(r.history.map((h) => h.epoch)).toEqual([0, 1, 2]);
    expect(Object.keys(r.history[0]!.logs).sort()).toEqual([
      'accuracy',
      'learning_rate',
      'loss',
      'val_accuracy',
      'val_loss',
    ]);
    expect(r.history[2]!.logs.loss!).toBeLessThan(r.history[0]!.logs.loss!);
    expect(r.history[2]!.logs.val_accuracy!).toBeGreaterThan(0.6);
    expect(r.history[0]!.logs.learning_rate).toBeCloseTo(0.05, 6);
    expect(s.steps).toBe(30); // 10 batches of 32 per epoch
    // 10 steps an epoch: reports at steps 4 and 8, then the epoch's own
    expect(progress.filter((p) => p.epoch === 1).map((p) => [p.at, p.step])).toEqual([
      ['step', 4],
      ['step', 8],
      ['epoch', 10],
    ]);
    expect(progress.find((p) => p.epoch === 1 && p.at === 'step')!.last!.val_loss).toBe(r.history[0]!.logs.val_loss);
  });

  it('resumes after a kill from the last checkpoint: 4 epochs in total, the same weights as without the kill', async () => {
    const callbacks = () => [
      new ReduceLROnPlateau({ monitor: 'loss', patience: 1, factor: 0.5, minDelta: 0.5 }),
      new EarlyStopping({ monitor: 'val_loss', patience: 3 }),
    ];
    const plain = stepper();
    const whole = await train({ stepper: plain, ...datasets(), epochs: 4, callbacks: callbacks() });
    const wanted = await plain.getState();
    // minDelta 0.5: no epoch counts as an improvement, so the rate halves after epochs 1, 2 and 3
    expect(whole.history.map((h) => h.logs.learning_rate)).toEqual([0.05, 0.05, 0.025, 0.0125]);
    expect(wanted.learningRate).toBeCloseTo(0.00625, 10);

    const dir = tmpDir();
    const controller = new AbortController();
    const first = new Recorder({ after: 1, controller });
    const killed = stepper();
    await expect(
      train({
        stepper: killed,
        ...datasets(),
        epochs: 4,
        callbacks: [...callbacks(), first],
        checkpointDir: dir,
        signal: controller.signal,
      }),
    ).rejects.toThrow(/abort/i);
    expect(first.epochs).toEqual([0, 1]);
    expect((await readCheckpoint(dir, 'last'))!.epoch).toBe(1);

    const second = new Recorder();
    const resumed = stepper();
    const r = await train({
      stepper: resumed,
      ...datasets(),
      epochs: 4,
      callbacks: [...callbacks(), second],
      checkpointDir: dir,
    });
    expect(r).toMatchObject({ resumed: true, initialEpoch: 2, epochsRun: 2 });
    expect(second.epochs).toEqual([2, 3]);
    expect(first.epochs.length + second.epochs.length).toBe(4);
    expect(r.history.map((h) => h.epoch)).toEqual([0, 1, 2, 3]);
    expect(killed.steps + resumed.steps).toBe(plain.steps);
    const got = await resumed.getState();
    expect(got.learningRate).toBe(wanted.learningRate);
    got.weights.forEach((w, i) => w.values.forEach((v, k) => expect(v).toBeCloseTo(wanted.weights[i]!.values[k]!, 5)));
    r.history.forEach((h, i) => expect(h.logs.val_loss).toBeCloseTo(whole.history[i]!.logs.val_loss!, 5));
    // a finished training asked again returns at once
    const again = await train({ stepper: stepper(), ...datasets(), epochs: 4, checkpointDir: dir });
    expect(again.epochsRun).toBe(0);
    // another model's checkpoint is refused with the reason
    const other = new TestStepper({ features: trainData.features, task: 'binary', hidden: [5] });
    await expect(train({ stepper: other, ...datasets(), epochs: 4, checkpointDir: dir })).rejects.toThrow(
      /holds weights of shapes \[2,8\] \[8\] \[8,1\] \[1\], the model has \[2,5\] \[5\] \[5,1\] \[1\]/,
    );
  });

  it('bad epochs or stepsPerEpoch are DefinitionErrors naming the option', async () => {
    await expect(train({ stepper: stepper(), ...datasets(), epochs: 0 })).rejects.toThrow(
      /^epochs: must be a positive integer, got 0/,
    );
    await expect(train({ stepper: stepper(), ...datasets(), epochs: 2, stepsPerEpoch: 1.5 })).rejects.toThrow(
      /^stepsPerEpoch: /,
    );
  });

  it('an abort mid-epoch stops at the next batch', async () => {
    const controller = new AbortController();
    const s = stepper();
    const onProgress = (p: Progress) => {
      if (p.epoch === 1 && p.step === 3) controller.abort();
    };
    await expect(
      train({ stepper: s, ...datasets(), epochs: 3, progressEvery: 1, onProgress, signal: controller.signal }),
    ).rejects.toThrow(/abort/i);
    expect(s.steps).toBe(13);
  });

  it('a NaN loss stops with an error naming the epoch and keeps the checkpoint before it', async () => {
    const s = stepper();
    const step = s.step.bind(s);
    s.step = async (b: TrainBatch) => (s.steps === 24 ? (s.steps++, NaN) : step(b));
    const dir = tmpDir();
    const err = await train({ stepper: s, ...datasets(), epochs: 5, checkpointDir: dir }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NonFiniteLossError);
    expect((err as Error).message).toMatch(
      /training loss is NaN at epoch 3\/5, step 5: training stopped; the checkpoint of epoch 2 is kept in/,
    );
    expect((err as NonFiniteLossError).retryable).toBe(false);
    const last = await readCheckpoint(dir, 'last');
    expect(last!.epoch).toBe(1);
    expect(last!.done).toBe(false);
  });

  it('a step budget makes epochs of stepsPerEpoch batches that run on through the data', async () => {
    const s = stepper();
    const seen: number[] = [];
    const step = s.step.bind(s);
    s.step = async (b: TrainBatch) => (seen.push(b.xs.x0![0]!), step(b));
    const { train: data } = datasets();
    const r = await train({ stepper: s, train: data, epochs: 3, stepsPerEpoch: 4 } satisfies TrainOptions);
    expect(r.history).toHaveLength(3);
    expect(s.steps).toBe(12);
    const first: number[] = [];
    for await (const b of data.stream(0)) if (first.push(b.xs.x0![0]!) === 12) break;
    expect(seen).toEqual(first);

    // killed after epoch 1 and resumed: the batches go on where they stopped
    const dir = tmpDir();
    const controller = new AbortController();
    const again: number[] = [];
    const record = (t: TestStepper) => {
      const st = t.step.bind(t);
      t.step = async (b: TrainBatch) => (again.push(b.xs.x0![0]!), st(b));
      return t;
    };
    const o = { train: data, epochs: 3, stepsPerEpoch: 4, checkpointDir: dir };
    const killer = new Recorder({ after: 1, controller });
    await expect(
      train({ ...o, stepper: record(stepper()), callbacks: [killer], signal: controller.signal }),
    ).rejects.toThrow(/abort/i);
    await train({ ...o, stepper: record(stepper()) });
    expect(again).toEqual(first);
  });

  it('keeps `best` at the epoch of the best monitored value, and early stopping ends training', async () => {
    const dir = tmpDir();
    const s = stepper();
    // a learning rate this high makes val_loss bounce: early stopping has something to do
    await s.setLearningRate(2);
    const es = new EarlyStopping({ monitor: 'val_loss', patience: 1, restoreBestWeights: true });
    const r = await train({ stepper: s, ...datasets(), epochs: 30, callbacks: [es], checkpointDir: dir });
    const vals = r.history.map((h) => h.logs.val_loss!);
    const bestEpoch = vals.indexOf(Math.min(...vals));
    const best = await readCheckpoint(dir, 'best');
    expect(best!.best).toEqual({ monitor: 'val_loss', value: vals[bestEpoch], epoch: bestEpoch });
    expect(r.stoppedEarly).toBe(r.history.length < 30);
    // restored: the final weights are the best epoch's
    const final = await s.getState();
    final.weights.forEach((w, i) => expect(Array.from(w.values)).toEqual(Array.from(best!.state.weights[i]!.values)));
    expect(fs.readdirSync(dir).sort()).toEqual(['best', 'last']);
    expect(fs.readdirSync(path.join(dir, 'last')).sort()).toEqual(['checkpoint.json', 'tensors.bin']);
  });

  it('a stop asked by early stopping holds when the run is killed before it ends', async () => {
    const dir = tmpDir();
    // loss goes down, so in 'max' mode nothing improves after epoch 0: stop after epoch 1
    const es = () => new EarlyStopping({ monitor: 'loss', mode: 'max' });
    const dies: Callback = {
      name: 'dies',
      onTrainEnd: () => {
        throw new Error('worker lost');
      },
    };
    await expect(
      train({ stepper: stepper(), ...datasets(), epochs: 10, checkpointDir: dir, callbacks: [es(), dies] }),
    ).rejects.toThrow('worker lost');
    const r = await train({ stepper: stepper(), ...datasets(), epochs: 10, checkpointDir: dir, callbacks: [es()] });
    expect(r).toMatchObject({ epochsRun: 0, initialEpoch: 2, resumed: true });
    expect(r.history).toHaveLength(2);
    expect((await readCheckpoint(dir, 'last'))!.done).toBe(true);
  });
});
