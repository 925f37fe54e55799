/**
 * The penguin example's model module: a small MLP on the transformed measurements, island and
 * sex, predicting the species. The Trainer imports this file in every thread that trains, hands
 * it the tfjs instance to build with, and checks `hparams` against the schema below first.
 */
import { z } from 'zod';
import type { BuildModelArgs } from '../src/index.js';

export const hparams = z
  .object({
    hidden: z.number().int().positive().default(16),
    learningRate: z.number().positive().default(0.01),
  })
  .strict();

export function buildModel({ tf, features, label, hparams: h }: BuildModelArgs<z.infer<typeof hparams>>) {
  // one input as wide as every transformed feature together: the Trainer feeds them concatenated
  const width = features.reduce((n, f) => n + f.width, 0);
  return tf.sequential({
    layers: [
      tf.layers.dense({ inputShape: [width], units: h.hidden, activation: 'relu' }),
      tf.layers.dense({ units: h.hidden, activation: 'relu' }),
      tf.layers.dense({ units: label.classes!.length, activation: 'softmax' }),
    ],
  });
}
