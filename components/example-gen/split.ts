/**
 * Split assignment by a stable hash, TFX's approach: hash the chosen features' values (default:
 * the whole row) and map the hash onto buckets proportional to the split ratios. The same
 * values always land in the same split, across runs and machines, whatever the row order.
 */
import { DataError } from '../../src/errors.js';

// the row hash lives in row-hash.ts; re-exported so split assignment reads as one module
export { murmur3, rowHashes } from './row-hash.js';

/**
 * Which features decide the split: `splitBy` as given, or every feature sorted by name. The
 * default needs the whole dataset's feature list: a row hashes its absent features too.
 */
export function splitKeyNames(features: Iterable<string>, splitBy: string[] | undefined): string[] {
  return splitBy ?? [...features].sort();
}

/** A splitBy feature that no row has is a typo, not an all-absent key. */
export function checkSplitBy(features: string[], splitBy: string[] | undefined): void {
  for (const name of splitBy ?? []) {
    if (!features.includes(name)) throw new DataError(`splitBy feature '${name}' is not in the data (features: ${features.join(', ')})`);
  }
}

/**
 * Row indices per split. The hash, as a fraction of 2^32, times the sum of the ratios picks a
 * bucket; buckets are laid out in the ratios' key order (train: 2, eval: 1 → [0,2) train, [2,3) eval).
 */
export function assignSplits(hashes: Uint32Array, ratios: Record<string, number>): Map<string, number[]> {
  const names = Object.keys(ratios);
  const total = names.reduce((s, n) => s + ratios[n]!, 0);
  const bounds: number[] = [];
  let acc = 0;
  for (const n of names) bounds.push((acc += ratios[n]!));
  const out = new Map(names.map((n) => [n, [] as number[]]));
  const lists = names.map((n) => out.get(n)!);
  for (let r = 0; r < hashes.length; r++) {
    const x = (hashes[r]! / 2 ** 32) * total;
    let b = 0;
    while (b < bounds.length - 1 && x >= bounds[b]!) b++;
    lists[b]!.push(r);
  }
  return out;
}
