/**
 * The native path through the Trainer: the penguin model trained by the Trainer's executor on
 * the `tensorflow` backend (tfjs-node, its binding built by scripts/tfjs-native.sh from PyPI's
 * TensorFlow wheel) and on wasm, each in its own process from the same seed and data, ends at
 * the same metrics, weights and predictions within float32 tolerance. Skipped only when no
 * native binding was built.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { nativeBinding } from '../../src/ml/backend.js';
import type { PenguinRun } from './fixtures/train-penguin-backend.js';

const run = promisify(execFile);
const binding = nativeBinding('@tensorflow/tfjs-node');
const skipReason = binding
  ? undefined
  : 'no @tensorflow/tfjs-node binding: scripts/tfjs-native.sh did not build one (its reason is in the setup log)';
if (skipReason) console.warn(`[trainer-backends-agree.test] skipped: ${skipReason}`);

async function train(backend: string): Promise<PenguinRun> {
  const { stdout } = await run('node', ['--import', 'tsx', 'test/ml/fixtures/train-penguin-backend.ts', backend], {
    env: { ...process.env, TF_CPP_MIN_LOG_LEVEL: '2', TSFX_GPU: undefined, TSFX_TF_BACKEND: undefined },
    maxBuffer: 64 << 20,
    timeout: 240_000,
  });
  return JSON.parse(stdout.trim().split('\n').at(-1)!) as PenguinRun;
}

const maxDiff = (a: number[], b: number[]) => {
  expect(b.length).toBe(a.length);
  return a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i]!)), 0);
};

describe.skipIf(!binding)(`Trainer on native and wasm${skipReason ? ` (skipped: ${skipReason})` : ''}`, () => {
  it('trains the penguin model to the same metrics, weights and predictions on both', async () => {
    const [native, wasm] = await Promise.all([train('tfjs-node'), train('tfjs-backend-wasm')]);
    expect(native.backend).toMatchObject({ name: 'tensorflow', package: '@tensorflow/tfjs-node' });
    expect(wasm.backend).toMatchObject({ name: 'wasm', package: '@tensorflow/tfjs-backend-wasm' });
    expect(wasm.epochs).toBe(native.epochs);
    // it learned: the loss fell by orders of magnitude, the eval accuracy is high
    expect(native.loss.at(-1)!).toBeLessThan(native.loss[0]! / 100);
    expect(native.final.val_accuracy).toBeGreaterThan(0.9);

    // counts of correct examples: identical, not merely close
    expect(wasm.final.accuracy).toBe(native.final.accuracy);
    expect(wasm.final.val_accuracy).toBe(native.final.val_accuracy);
    // oneDNN and XNNPACK sum in different orders; over 30 epochs of Adam the per-epoch losses
    // stay within about 1e-7 of each other and val_loss within 1e-5 (measured)
    const diffs = {
      loss: maxDiff(native.loss, wasm.loss),
      valLoss: Math.abs(native.final.val_loss! - wasm.final.val_loss!),
      predictions: maxDiff(native.predictions, wasm.predictions),
      weights: Math.max(...native.weights.map((w, i) => maxDiff(w, wasm.weights[i]!))),
    };
    console.log(`[trainer-backends] native vs wasm, largest differences: ${JSON.stringify(diffs)}`);
    expect(diffs.loss).toBeLessThan(1e-5);
    expect(diffs.valLoss).toBeLessThan(1e-4);
    expect(diffs.predictions).toBeLessThan(1e-4);
    // Adam divides each step by sqrt(v): near convergence (loss ~1e-4) the gradients are tiny and
    // their rounding differences are scaled up, so weights of size ~1 drift apart by ~4e-4 over
    // 500 steps (measured); a wrong kernel moves them by orders of magnitude more
    expect(diffs.weights).toBeLessThan(2e-3);
  }, 300_000);
});
