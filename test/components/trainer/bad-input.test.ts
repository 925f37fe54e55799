/**
 * The Trainer's bad input, driver and executor level on the penguins: a model module that
 * throws, returns no model or reads features the transform does not make, hparams outside the
 * module's schema and a label the transform lacks fail before any step with an error naming
 * what is at fault; a loss that turns NaN stops training naming the epoch and leaves the last
 * good checkpoint in the work folder. Every one of them reaches Temporal as non-retryable.
 */
import fs from 'node:fs';
import path from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DefinitionError, UserCodeError } from '../../../src/errors.js';
import { toFailure } from '../../../src/orchestration/failures.js';
import { readCheckpoint } from '../../../src/ml/train/checkpoint.js';
import { NonFiniteLossError } from '../../../src/ml/train/loop.js';
import { removeTempDirs, tempDir } from '../example-gen/helpers.js';
import { runTrainer, transformedPenguins } from './helpers.js';

const fixture = (name: string) => path.resolve('test/fixtures/model-modules', `${name}.ts`);
/** the penguin transform's outputs the model may read (the label, species, is left out) */
const FEATURES = ['island', 'sex', 'beak_length', 'beak_depth', 'flipper_length', 'body_mass'];

let data: Awaited<ReturnType<typeof transformedPenguins>>;
beforeAll(async () => {
  data = await transformedPenguins();
});
afterAll(removeTempDirs);

const failing = (params: Record<string, unknown>, opts: Parameters<typeof runTrainer>[2] = {}) =>
  runTrainer(data, { epochs: 2, ...params }, opts).then(
    () => {
      throw new Error('the Trainer succeeded');
    },
    (err: unknown) => err as Error,
  );

/** What the activity adapter hands Temporal for `err`: a non-retryable failure of the error's class. */
function expectNonRetryable(err: Error, type: string): void {
  const failure = toFailure(err, 'Trainer');
  expect(failure).toBeInstanceOf(ApplicationFailure);
  expect(failure).toMatchObject({ type, nonRetryable: true, message: err.message });
}

describe('Trainer on a bad model module', () => {
  it('a buildModel that throws: UserCodeError naming the module and its message', async () => {
    const err = await failing({ module: fixture('throws') });
    expect(err).toBeInstanceOf(UserCodeError);
    expect(err.message).toBe(`buildModel in ${fixture('throws')} threw: layer sizes must be positive`);
    expectNonRetryable(err, 'UserCodeError');
  });

  it('a buildModel that returns no model: DefinitionError saying so', async () => {
    const err = await failing({ module: fixture('no-return') });
    expect(err).toBeInstanceOf(DefinitionError);
    expect(err.message).toContain(`buildModel in ${fixture('no-return')} returned undefined, not a tf.LayersModel`);
    expectNonRetryable(err, 'DefinitionError');
  });

  it('a model input that is no transformed feature: the error lists the transformed features', async () => {
    const err = await failing({ module: fixture('wrong-input') });
    expect(err).toBeInstanceOf(DefinitionError);
    expect(err.message).toContain("has input 'bill_length_mm', which is not a transformed feature; the features are: ");
    const listed = [...err.message.split('the features are: ')[1]!.matchAll(/(\w+) \(/g)].map((m) => m[1]);
    expect(listed.sort()).toEqual([...FEATURES].sort());
    // one-hot island has as many values as the vocabulary has islands
    expect(err.message).toMatch(/island \(float32, width 3\)/);
    expectNonRetryable(err, 'DefinitionError');
  });

  it('hparams outside the schema: the error names the hparam path, a misspelt one by name', async () => {
    const err = (await failing({ hparams: { hidden: -4 } })) as DefinitionError;
    expect(err).toBeInstanceOf(DefinitionError);
    expect(err.path).toEqual(['hparams', 'hidden']);
    expect(err.message).toMatch(/^hparams\.hidden: hparams do not fit the schema of model module .*penguin-model\.ts: .*>0/);
    expectNonRetryable(err, 'DefinitionError');

    // penguin-model.ts' schema is strict: a typo is refused, not ignored in favour of the default
    const typo = (await failing({ hparams: { hiden: 32 } })) as DefinitionError;
    expect(typo.path).toEqual(['hparams']);
    expect(typo.message).toContain('"hiden"');
  });

  it('a label the transform does not output: the error names what it outputs', async () => {
    const err = (await failing({ label: 'Species' })) as DefinitionError;
    expect(err).toBeInstanceOf(DefinitionError);
    expect(err.path).toEqual(['params', 'label']);
    const outputs = /it outputs (.*)\)$/.exec(err.message)![1]!.split(', ');
    expect(outputs.sort()).toEqual([...FEATURES, 'species'].sort());
    expectNonRetryable(err, 'DefinitionError');
  });
});

describe('Trainer on a loss that turns NaN', () => {
  it('stops naming the epoch, non-retryably, and keeps the checkpoint of the epoch before', async () => {
    const workDir = path.join(tempDir('nan'), 'work');
    const stepsPerEpoch = 4;
    // the probe step is a training pass too: NaN from the 12th step on, in epoch 3 of 6
    const err = (await failing(
      { module: fixture('nan-after'), epochs: 6, stepsPerEpoch, hparams: { finiteSteps: 2 * stepsPerEpoch + 3 } },
      { workDir },
    )) as NonFiniteLossError;
    expect(err).toBeInstanceOf(NonFiniteLossError);
    expect(err.retryable).toBe(false);
    expectNonRetryable(err, 'NonFiniteLossError');
    expect([err.epoch, err.step]).toEqual([2, 2]);
    const checkpoints = path.join(workDir, 'checkpoints');
    expect(err.message).toBe(
      `training loss is NaN at epoch ${err.epoch + 1}/6, step ${err.step + 1}: training stopped; ` +
        `the checkpoint of epoch ${err.epoch} is kept in ${checkpoints}`,
    );

    // the work folder (what a retry or a person would look at) holds the last good epoch
    const last = await readCheckpoint(checkpoints, 'last');
    expect(last?.epoch).toBe(err.epoch - 1);
    expect(last?.done).toBe(false);
    expect(last!.history.map((h) => h.epoch)).toEqual([...Array(err.epoch).keys()]);
    for (const h of last!.history) expect(Number.isFinite(h.logs.loss)).toBe(true);
    for (const w of last!.state.weights) expect(w.values.every(Number.isFinite)).toBe(true);
    const csv = fs.readFileSync(path.join(workDir, 'training.csv'), 'utf8').trim().split('\n');
    expect(csv).toHaveLength(err.epoch + 1);
  });

  it('the same with data-parallel replicas: the loss their steps combine is NaN', async () => {
    const err = (await failing({ module: fixture('nan-after'), strategy: { replicas: 2 }, stepsPerEpoch: 4, epochs: 3, hparams: { finiteSteps: 6 } })) as NonFiniteLossError;
    expect(err).toBeInstanceOf(NonFiniteLossError);
    expect(err.message).toMatch(/^training loss is NaN at epoch 2\/3, step \d: training stopped; the checkpoint of epoch 1 is kept in /);
  });

  it('a NaN in the first epoch says no checkpoint was written', async () => {
    const err = (await failing({ module: fixture('nan-after'), stepsPerEpoch: 4, hparams: { finiteSteps: 2 } })) as NonFiniteLossError;
    expect(err).toBeInstanceOf(NonFiniteLossError);
    expect(err.message).toMatch(/^training loss is NaN at epoch 1\/2, step 2: training stopped; no checkpoint was written before it$/);
  });
});
