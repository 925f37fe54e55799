import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { DefinitionError, UserCodeError } from '../../../src/errors.js';
import { buildFromSource, validateModelModule } from '../../../src/ml/train/model-module.js';
import { moduleFile, source } from './train-fixtures.js';

const reject = (name: string, overrides: Parameters<typeof source>[1] = {}, task?: Parameters<typeof source>[2]) =>
  validateModelModule(tf, source(name, overrides, task));

describe('model module', () => {
  it('validates a good module, filling hparam defaults, and counts its parameters', async () => {
    const ok = await validateModelModule(tf, source('mlp', { hparams: { hidden: 5 } }, 'multiclass'));
    expect(ok.hparams).toEqual({ hidden: 5, learningRate: 0.05, optimizer: 'adam' });
    // (1 + 2) * 5 + 5 hidden, 5 * 3 + 3 softmax
    expect(ok.params).toBe(3 * 5 + 5 + 5 * 3 + 3);
  });

  it('feeds a single unnamed input all features concatenated', async () => {
    const built = await buildFromSource(tf, source('sequential'));
    expect(built.plan).toEqual({ kind: 'concat', width: 3 });
    built.model.dispose();
  });

  it('builds the same initial weights from the same seed, other weights from another', async () => {
    const weights = async (seed: number) => {
      const b = await buildFromSource(tf, source('mlp', { seed }));
      const w = b.model.getWeights().map((t) => Array.from(t.dataSync()));
      b.model.dispose();
      return w;
    };
    const [a, b, c] = [await weights(1), await weights(1), await weights(2)];
    expect(a).toEqual(b);
    expect(a[0]).not.toEqual(c[0]);
  });

  it('wraps a module that throws in a UserCodeError naming the file', async () => {
    const err = await reject('throws').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UserCodeError);
    expect((err as Error).message).toContain(moduleFile('throws'));
    expect((err as Error).message).toContain('layer sizes must be positive');
  });

  it('rejects a module without buildModel, listing its exports', async () => {
    await expect(reject('no-build')).rejects.toThrow(/exports no buildModel function \(exports: buildModle, hparams\)/);
    await expect(reject('no-build')).rejects.toBeInstanceOf(DefinitionError);
  });

  it('rejects a buildModel that returns no model', async () => {
    await expect(reject('no-return')).rejects.toThrow(/returned undefined, not a tf.LayersModel/);
  });

  it('rejects hparams that fail the schema, with the hparam path', async () => {
    const err = (await reject('mlp', { hparams: { hidden: -1 } }).catch((e: unknown) => e)) as DefinitionError;
    expect(err).toBeInstanceOf(DefinitionError);
    expect(err.path).toEqual(['hparams', 'hidden']);
    expect(err.message).toMatch(/^hparams\.hidden: .*mlp\.ts/);
  });

  it('rejects a model input that is no transformed feature, listing the features', async () => {
    await expect(reject('wrong-input')).rejects.toThrow(
      "has input 'bill_length_mm', which is not a transformed feature; the features are: x0 (float32, width 1), x1 (float32, width 2)",
    );
  });

  it('rejects an input width that differs from the feature', async () => {
    await expect(reject('wrong-input', { hparams: { first: 'x1' } })).rejects.toThrow(
      "input 'x1' takes 1 values per example, the feature has 2",
    );
  });

  it('rejects an output too narrow for the task', async () => {
    await expect(reject('mlp', { hparams: { outputUnits: 1 } }, 'multiclass')).rejects.toThrow(
      'outputs 1 unit(s); a multiclass label over 3 classes needs 3 softmax units',
    );
    await expect(reject('mlp', { hparams: { outputUnits: 2 } }, 'binary')).rejects.toThrow(
      'a binary label needs 1 sigmoid unit',
    );
  });

  it('names a module that does not load', async () => {
    await expect(reject('does-not-exist')).rejects.toThrow(/model module .*does-not-exist\.ts failed to load/);
  });
});
