import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { beforeAll, describe, expect, it } from 'vitest';
import { DefinitionError } from '../../../src/errors.js';
import { ensureBackend } from '../../../src/ml/backend.js';
import { EarlyStopping, ReduceLROnPlateau, type Callback, type TrainContext } from '../../../src/ml/train/callbacks.js';
import { CsvLogger } from '../../../src/ml/train/csv-logger.js';
import { ExamplesDataset } from '../../../src/ml/train/dataset.js';
import { train } from '../../../src/ml/train/loop.js';
import { generateExamples, TestStepper, tmpDir } from './helpers.js';

beforeAll(async () => {
  await ensureBackend();
});

const features = [{ name: 'x0', dtype: 'float32' as const, width: 1 }];

async function context(lr = 1): Promise<TrainContext & { stepper: TestStepper }> {
  const stepper = new TestStepper({ features, task: 'regression', hidden: [2] });
  await stepper.setLearningRate(lr);
  let learningRate = lr;
  return {
    stepper,
    epochs: 100,
    initialEpoch: 0,
    history: [],
    get learningRate() {
      return learningRate;
    },
    async setLearningRate(v: number) {
      await stepper.setLearningRate(v);
      learningRate = v;
    },
    stopTraining: false,
  };
}

/** Feed `values` of `monitor` epoch by epoch; returns the epoch at which training was stopped, or -1. */
async function drive(cb: Callback, ctx: TrainContext, monitor: string, values: number[], from = 0): Promise<number> {
  if (from === 0) await cb.onTrainBegin?.(ctx);
  for (let e = from; e < values.length; e++) {
    await cb.onEpochEnd?.(e, { [monitor]: values[e]!, learning_rate: ctx.learningRate }, ctx);
    if (ctx.stopTraining) return e;
  }
  return -1;
}

describe('EarlyStopping', () => {
  it('stops after `patience` epochs without an improvement larger than minDelta', async () => {
    expect(
      await drive(
        new EarlyStopping({ monitor: 'val_loss', patience: 2 }),
        await context(),
        'val_loss',
        [1, 0.9, 0.95, 0.93, 0.8],
      ),
    ).toBe(3);
    // 0.95 and 0.92 are less than minDelta 0.1 better than 1: no improvement
    expect(
      await drive(
        new EarlyStopping({ monitor: 'val_loss', patience: 2, minDelta: 0.1 }),
        await context(),
        'val_loss',
        [1, 0.95, 0.92, 0.5],
      ),
    ).toBe(2);
    // accuracy goes up (mode auto)
    expect(
      await drive(
        new EarlyStopping({ monitor: 'val_accuracy', patience: 1 }),
        await context(),
        'val_accuracy',
        [0.5, 0.6, 0.7, 0.65],
      ),
    ).toBe(3);
    // patience 0 never stops at epoch 0, as Keras
    expect(await drive(new EarlyStopping({ monitor: 'loss' }), await context(), 'loss', [1, 2])).toBe(1);
    // with a baseline never beaten, improvements don't reset the wait (Keras): the first flat epoch stops
    expect(
      await drive(
        new EarlyStopping({ monitor: 'loss', patience: 2, baseline: 0.1 }),
        await context(),
        'loss',
        [1, 0.9, 0.8, 0.8],
      ),
    ).toBe(3);
    expect(
      await drive(new EarlyStopping({ monitor: 'loss', patience: 2 }), await context(), 'loss', [1, 0.9, 0.8, 0.8]),
    ).toBe(-1);
    expect(
      await drive(
        new EarlyStopping({ monitor: 'loss', patience: 1, startFromEpoch: 3 }),
        await context(),
        'loss',
        [1, 2, 3, 4, 5, 6],
      ),
    ).toBe(4);
  });

  it('restoreBestWeights brings back the best epoch’s weights at the end of training', async () => {
    const ctx = await context();
    const es = new EarlyStopping({ monitor: 'val_loss', patience: 2, restoreBestWeights: true });
    await es.onTrainBegin();
    const base = await ctx.stepper.getState();
    const vals = [0.9, 0.5, 0.7, 0.8];
    for (let e = 0; e < vals.length; e++) {
      // weights that say which epoch they are from
      await ctx.stepper.setState({
        ...base,
        weights: base.weights.map((w) => ({ ...w, values: new Float32Array(w.values.length).fill(e) })),
      });
      await es.onEpochEnd(e, { val_loss: vals[e]! }, ctx);
    }
    expect(ctx.stopTraining).toBe(true);
    await es.onTrainEnd(ctx);
    for (const w of (await ctx.stepper.getState()).weights) expect(new Set(w.values)).toEqual(new Set([1]));
  });

  it('keeps counting patience across a checkpoint (getState / setState)', async () => {
    const a = new EarlyStopping({ monitor: 'loss', patience: 2 });
    const ctx = await context();
    await drive(a, ctx, 'loss', [1, 0.5, 0.6]);
    const b = new EarlyStopping({ monitor: 'loss', patience: 2 });
    await b.onTrainBegin();
    b.setState(JSON.parse(JSON.stringify(a.getState())));
    expect(await drive(b, ctx, 'loss', [1, 0.5, 0.6, 0.7], 3)).toBe(3);
  });

  it('a monitor the logs lack, or whose direction is unknown, is a DefinitionError', async () => {
    await expect(drive(new EarlyStopping({ monitor: 'val_loss' }), await context(), 'loss', [1])).rejects.toThrow(
      /monitors 'val_loss', which the logs don't have \(they have: loss, learning_rate\)/,
    );
    expect(() => new EarlyStopping({ monitor: 'val_wibble' })).toThrow(DefinitionError);
    expect(() => new EarlyStopping({ monitor: 'val_wibble', mode: 'max' })).not.toThrow();
  });
});

describe('ReduceLROnPlateau', () => {
  it('follows Keras: patience, factor, cooldown, minLr (compared in float32)', async () => {
    const ctx = await context(1);
    const cb = new ReduceLROnPlateau({
      monitor: 'loss',
      factor: 0.5,
      patience: 2,
      cooldown: 1,
      minLr: 0.1,
      minDelta: 0,
    });
    await cb.onTrainBegin();
    const losses = [1, 1, 1, 1, 1, 1, 1, 0.5, 0.5, 0.5, 0.5, 0.5];
    const lrs: number[] = [];
    for (let e = 0; e < losses.length; e++) {
      await cb.onEpochEnd(e, { loss: losses[e]! }, ctx);
      lrs.push(ctx.learningRate);
    }
    // worked by hand from keras/src/callbacks/reduce_lr_on_plateau.py; the last: 0.1 is not above float32(0.1)
    expect(lrs).toEqual([1, 1, 0.5, 0.5, 0.25, 0.25, 0.125, 0.125, 0.125, 0.1, 0.1, 0.1]);
    expect(ctx.stepper.learningRate).toBe(0.1);
    expect(() => new ReduceLROnPlateau({ factor: 1 })).toThrow(/factor below 1/);
  });

  it('max mode for accuracy, and its state survives a checkpoint', async () => {
    const ctx = await context(1);
    const a = new ReduceLROnPlateau({ monitor: 'val_accuracy', patience: 1, factor: 0.1 });
    await drive(a, ctx, 'val_accuracy', [0.5, 0.7]);
    expect(ctx.learningRate).toBe(1);
    const b = new ReduceLROnPlateau({ monitor: 'val_accuracy', patience: 1, factor: 0.1 });
    b.setState(JSON.parse(JSON.stringify(a.getState())));
    await b.onEpochEnd(2, { val_accuracy: 0.69 }, ctx);
    expect(ctx.learningRate).toBeCloseTo(0.1, 12);
  });
});

describe('CsvLogger', () => {
  it("writes Keras CSVLogger's columns, and a resumed run rewrites the rows from the checkpoint's history", async () => {
    const g = await generateExamples({ rows: 120, rowsPerShard: 60 });
    const v = await generateExamples({ rows: 40, rowsPerShard: 60, seed: 9 });
    const data = () => ({
      train: new ExamplesDataset({
        uri: g.uri,
        props: g.props,
        split: 'train',
        features: g.features,
        label: 'y',
        batchSize: 20,
      }),
      validation: new ExamplesDataset({
        uri: v.uri,
        props: v.props,
        split: 'train',
        features: v.features,
        label: 'y',
        batchSize: 20,
      }),
    });
    const file = path.join(tmpDir(), 'logs', 'training.csv');
    const checkpointDir = tmpDir();
    const crash: Callback = {
      name: 'crash',
      onEpochEnd: (e) => {
        if (e === 1) throw new Error('worker lost');
      },
    };
    const stepper = () => new TestStepper({ features: g.features, task: 'binary' });
    // epoch 1 reaches the CSV but not the checkpoint
    await expect(
      train({ stepper: stepper(), ...data(), epochs: 3, checkpointDir, callbacks: [new CsvLogger({ file }), crash] }),
    ).rejects.toThrow('worker lost');
    expect(fs.readFileSync(file, 'utf8').trim().split('\n')).toHaveLength(3);
    const r = await train({
      stepper: stepper(),
      ...data(),
      epochs: 3,
      checkpointDir,
      callbacks: [new CsvLogger({ file })],
    });
    const text = fs.readFileSync(file, 'utf8');
    expect(text.split('\n')[0]).toBe('epoch,accuracy,learning_rate,loss,val_accuracy,val_loss');
    const rows = parse(text, { columns: true, cast: true }) as Record<string, number>[];
    expect(rows.map((x) => x.epoch)).toEqual([0, 1, 2]);
    rows.forEach((row, i) => {
      for (const [k, val] of Object.entries(r.history[i]!.logs)) expect(row[k]).toBe(val);
    });
  });
});
