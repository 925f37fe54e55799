/**
 * Seeded weight initialisation for models built by user code. tfjs-layers' initialisers draw
 * from tfjs's random ops, which seed themselves from Math.random() when the layer was given no
 * seed (the usual case). Swapping Math.random for a seeded generator while the model is built
 * makes every build of the same module, in any thread or process, start from the same weights:
 * replicas must, and a resumed run rebuilds the model before loading its checkpoint.
 */

/** mulberry32: a small, fast 32-bit generator; quality is ample for seeding initialisers. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

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
