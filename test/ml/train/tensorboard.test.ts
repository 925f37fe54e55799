import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureBackend } from '../../../src/ml/backend.js';
import type { Callback } from '../../../src/ml/train/callbacks.js';
import { ExamplesDataset } from '../../../src/ml/train/dataset.js';
import { train } from '../../../src/ml/train/loop.js';
import { histogram } from '../../../src/ml/train/tensorboard-events.js';
import { TensorBoard } from '../../../src/ml/train/tensorboard.js';
import { TENSORBOARD_REQUIREMENTS } from '../../helpers/python-pins.js';
import { generateExamples, TestStepper, tmpDir } from './helpers.js';

const run = promisify(execFile);
const repo = fileURLToPath(new URL('../../../', import.meta.url));
const here = fileURLToPath(new URL('.', import.meta.url));

interface Read {
  scalars: Record<string, [number, number][]>;
  histograms: Record<string, { step: number; num: number; min: number; max: number; counted: number }[]>;
}

/** TensorBoard's EventAccumulator over each run folder of `logDir`, in the pinned venv. */
async function readWithTensorBoard(logDir: string): Promise<Record<string, Read>> {
  const { stdout } = await run(
    'bash',
    [path.join(repo, 'scripts/python-venv.sh'), 'tensorboard', ...TENSORBOARD_REQUIREMENTS],
    { cwd: repo, maxBuffer: 64 << 20 },
  );
  const python = stdout.trim().split('\n').pop()!;
  const py = await run(python, [path.join(here, 'read_tensorboard.py'), logDir], {
    maxBuffer: 64 << 20,
    env: { ...process.env, TF_CPP_MIN_LOG_LEVEL: '3' },
  });
  return JSON.parse(py.stdout.trim().split('\n').pop()!) as Record<string, Read>;
}

/** Crashes the run at the end of epoch `at`, after TensorBoard logged it and before its checkpoint. */
class Crash implements Callback {
  readonly name = 'crash';
  constructor(private readonly at: number) {}
  onEpochEnd(epoch: number): void {
    if (epoch === this.at) throw new Error('worker lost');
  }
}

beforeAll(async () => {
  await ensureBackend();
});

describe('TensorBoard', () => {
  it("writes Keras' layout that TensorBoard's EventAccumulator reads: every scalar with its step, the histograms, a resumed epoch once", async () => {
    const g = await generateExamples({ rows: 200, rowsPerShard: 100, seed: 1 });
    const v = await generateExamples({ rows: 60, rowsPerShard: 100, seed: 2 });
    const data = () => ({
      train: new ExamplesDataset({
        uri: g.uri,
        props: g.props,
        split: 'train',
        features: g.features,
        label: 'y',
        batchSize: 25,
        shuffleBuffer: 50,
        seed: 4,
      }),
      validation: new ExamplesDataset({
        uri: v.uri,
        props: v.props,
        split: 'train',
        features: v.features,
        label: 'y',
        batchSize: 30,
      }),
    });
    const stepper = () => new TestStepper({ features: g.features, task: 'binary', seed: 2, hidden: [6, 4] });
    const logDir = tmpDir('tsfx-tb-');
    const checkpointDir = tmpDir();
    // the first run logs epochs 0-2 but dies before checkpointing epoch 2; the resume redoes it
    const first = stepper();
    const tags = (await first.getState()).weights.map((w) => `${w.name}/histogram`);
    await expect(
      train({
        stepper: first,
        ...data(),
        epochs: 4,
        checkpointDir,
        callbacks: [new TensorBoard({ logDir }), new Crash(2)],
      }),
    ).rejects.toThrow('worker lost');
    const s = stepper();
    const r = await train({
      stepper: s,
      ...data(),
      epochs: 4,
      checkpointDir,
      callbacks: [new TensorBoard({ logDir })],
    });
    expect(r.initialEpoch).toBe(2);
    expect(fs.readdirSync(logDir).sort()).toEqual(['train', 'validation']);
    for (const sub of ['train', 'validation']) {
      const files = fs.readdirSync(path.join(logDir, sub));
      expect(files).toHaveLength(2);
      for (const f of files) expect(f).toMatch(/^events\.out\.tfevents\.\d+\..+$/);
    }

    const read = await readWithTensorBoard(logDir);
    const steps = [0, 1, 2, 3];
    const expectSeries = (series: [number, number][] | undefined, key: string) => {
      expect(series?.map(([step]) => step)).toEqual(steps);
      series!.forEach(([step, value]) => expect(value).toBeCloseTo(r.history[step]!.logs[key]!, 5));
    };
    expect(Object.keys(read.train!.scalars).sort()).toEqual(['epoch_accuracy', 'epoch_learning_rate', 'epoch_loss']);
    expectSeries(read.train!.scalars.epoch_loss, 'loss');
    expectSeries(read.train!.scalars.epoch_accuracy, 'accuracy');
    expectSeries(read.train!.scalars.epoch_learning_rate, 'learning_rate');
    expect(Object.keys(read.validation!.scalars).sort()).toEqual(['epoch_accuracy', 'epoch_loss']);
    expectSeries(read.validation!.scalars.epoch_loss, 'val_loss');
    expectSeries(read.validation!.scalars.epoch_accuracy, 'val_accuracy');

    // one histogram per weight (3 dense layers: kernel and bias), every epoch, under the first run's names
    const weights = (await s.getState()).weights;
    expect(tags).toHaveLength(6);
    expect(Object.keys(read.train!.histograms).sort()).toEqual([...tags].sort());
    for (const [i, w] of weights.entries()) {
      const h = read.train!.histograms[tags[i]!]!;
      expect(h.map((e) => e.step)).toEqual(steps);
      for (const e of h) expect([e.num, e.counted]).toEqual([w.values.length, w.values.length]);
      // the last one is of the final weights
      expect(h[3]!.min).toBeCloseTo(Math.min(...w.values), 6);
      expect(h[3]!.max).toBeCloseTo(Math.max(...w.values), 6);
    }
  }, 600_000);

  it('histogram buckets cover [min, max] and count every value', () => {
    const h = histogram(new Float32Array([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]), 5);
    expect(h.bucketLimit).toEqual([2, 4, 6, 8, 10]);
    expect(h.bucket).toEqual([2, 2, 2, 2, 3]);
    expect([h.min, h.max, h.num, h.sum, h.sumSquares]).toEqual([0, 10, 11, 55, 385]);
    expect(histogram(new Float32Array([3, 3])).bucket).toEqual([2]);
  });
});
