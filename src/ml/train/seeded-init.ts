/**
 * Seeded weight initialisation for models built by user code. tfjs-layers' initialisers draw
 * from tfjs's random ops, which seed themselves from Math.random() when the layer was given no
 * seed (the usual case). Swapping Math.random for a seeded generator while the model is built
 * makes every build of the same module, in any thread or process, start from the same weights:
 * replicas must, and a resumed run rebuilds the model before loading its checkpoint.
 */

import { mulberry32 } from '../../random.js';

/**
 * Run `fn` with Math.random replaced by a generator seeded with `seed`, restoring it after.
 * An async `fn` that yields lets other code in the thread draw from the seeded generator
 * meanwhile; model building is synchronous in practice, so this does not arise.
 */
export async function seededRandom<T>(seed: number, fn: () => T | Promise<T>): Promise<T> {
  const original = Math.random;
  Math.random = mulberry32(seed);
  try {
    return await fn();
  } finally {
    Math.random = original;
  }
}
