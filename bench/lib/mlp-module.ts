/**
 * The benchmark MLP as a tsfx model module: x[8] -> 64 relu -> 64 relu -> 1, SGD, the
 * architecture and optimizer of bench/lib/train-mlp.ts and bench/trainer_backends_keras.py.
 */
import type * as tfjs from '@tensorflow/tfjs';
import { z } from 'zod';
import type { BuildModelArgs } from '../../src/index.js';

export const hparams = z.object({
  hidden: z.array(z.number().int()).default([64, 64]),
  learningRate: z.number().default(0.05),
});
type H = z.infer<typeof hparams>;

export function buildModel({ tf, features, hparams: h }: BuildModelArgs<H>): tfjs.LayersModel {
  const input = tf.input({ shape: [features[0]!.width], name: features[0]!.name });
  let x: tfjs.SymbolicTensor = input;
  for (const units of h.hidden) x = tf.layers.dense({ units, activation: 'relu' }).apply(x) as tfjs.SymbolicTensor;
  return tf.model({ inputs: input, outputs: tf.layers.dense({ units: 1 }).apply(x) as tfjs.SymbolicTensor });
}

export const optimizer = (h: H, tf: typeof tfjs) => tf.train.sgd(h.learningRate);
