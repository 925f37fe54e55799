/**
 * The native path, run: tfjs-node's binding (built by scripts/tfjs-native.sh from PyPI's
 * TensorFlow wheel) trains the same MLP as wasm and cpu, each in its own process, to the same
 * weights within float32 tolerance; and backend selection picks it, saying so.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import type { TrainResult, TrainSpec } from '../../bench/lib/train-mlp.js';
import { nativeBinding } from '../../src/ml/backend.js';

const run = promisify(execFile);
const binding = nativeBinding('@tensorflow/tfjs-node');
const skipReason = binding
  ? undefined
  : 'no @tensorflow/tfjs-node binding: scripts/tfjs-native.sh did not build one (its reason is in the setup log)';
if (skipReason) console.warn(`[native-backend.test] skipped: ${skipReason}`);

async function train(spec: TrainSpec): Promise<TrainResult> {
  const { stdout } = await run('node', ['--import', 'tsx', 'bench/lib/train-mlp.ts', JSON.stringify(spec)], {
    env: { ...process.env, TF_CPP_MIN_LOG_LEVEL: '2', TSFX_GPU: undefined },
    maxBuffer: 64 << 20,
  });
  return JSON.parse(stdout.trim().split('\n').at(-1)!) as TrainResult;
}

/** the largest |a - b| over two equally shaped lists */
function maxDiff(a: number[], b: number[]): number {
  expect(b.length).toBe(a.length);
  return a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i]!)), 0);
}

describe.skipIf(!binding)(`native tfjs backend${skipReason ? ` (skipped: ${skipReason})` : ''}`, () => {
  // 2048 rows x 8, 64-64-1, batch 64, 3 epochs of SGD: 96 steps, enough for rounding to compound
  const spec = { rows: 2048, epochs: 3, batch: 64, weights: true };
  // started by the first test that needs them (a skipped describe still runs its body), shared after
  let started: Promise<TrainResult[]> | undefined;
  const runs = () =>
    (started ??= Promise.all(
      ['tfjs-node', 'tfjs-backend-wasm', 'tfjs-backend-cpu'].map((backend) => train({ ...spec, backend })),
    ));

  it('selection reports the tensorflow backend with its package and versions', async () => {
    const [native] = await runs();
    expect(native!.backend).toMatchObject({
      name: 'tensorflow',
      package: '@tensorflow/tfjs-node',
      versions: { 'tfjs-node': '4.22.0', tensorflow: '2.20.0', 'tfjs-core': '4.22.0' },
    });
  });

  it('selection without TSFX_TF_BACKEND picks tfjs-node and says why not the GPU build', async () => {
    const script = `
      import { selectBackend } from './src/ml/backend.ts';
      import * as tf from '@tensorflow/tfjs';
      const c = await selectBackend();
      console.log(JSON.stringify({ ...c, active: tf.getBackend() }));`;
    const env: NodeJS.ProcessEnv = { ...process.env, TF_CPP_MIN_LOG_LEVEL: '2' };
    delete env.TSFX_TF_BACKEND;
    delete env.TSFX_GPU;
    const { stdout } = await run('node', ['--import', 'tsx', '--input-type=module', '-e', script], { env });
    const choice = JSON.parse(stdout.trim().split('\n').at(-1)!) as Record<string, string>;
    expect(choice).toMatchObject({ name: 'tensorflow', package: '@tensorflow/tfjs-node', active: 'tensorflow' });
    // no GPU here: the GPU build is skipped, never imported (no driver, or no binding built for it)
    if (!fs.existsSync('/proc/driver/nvidia')) expect(choice.reason).toMatch(/^tfjs-node-gpu skipped: no NVIDIA driver/);
    else expect(choice.reason).toMatch(/tfjs-node-gpu (skipped|failed)/);
  });

  it('trains the same MLP to the same weights and predictions as wasm and cpu', async () => {
    const [native, wasm, cpu] = await runs();
    expect(wasm!.backend.name).toBe('wasm');
    expect(cpu!.backend.name).toBe('cpu');
    for (const other of [wasm!, cpu!]) {
      // float32 with different kernels (oneDNN, XNNPACK, plain JS) and summation orders: after
      // 96 steps they agree to about 1e-6; 1e-4 leaves room and still catches a wrong kernel
      expect(maxDiff(native!.predictions, other.predictions)).toBeLessThan(1e-4);
      expect(maxDiff(native!.loss, other.loss)).toBeLessThan(1e-4);
      native!.weights!.forEach((w, i) => expect(maxDiff(w, other.weights![i]!)).toBeLessThan(1e-4));
    }
    // and it learned something: the loss fell
    expect(native!.loss.at(-1)!).toBeLessThan(native!.loss[0]! / 2);
  });
});
