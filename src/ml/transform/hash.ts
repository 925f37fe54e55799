/**
 * TensorFlow's string hashing, so hashed ids equal TensorFlow's:
 * - tf.strings.to_hash_bucket_fast (tft.hash_strings, and the OOV buckets of
 *   StaticVocabularyTable, whose default hasher it is): FarmHash Fingerprint64 of the UTF-8
 *   bytes, as uint64, mod the bucket count;
 * - tf.sparse.cross_hashed: starting from the hash key, each feature's value hash (Fingerprint64
 *   of a string, the uint64 bits of an int) is folded in with FingerprintCat64, then mod buckets.
 * Fingerprint64 is ./fingerprint64.ts (plain TS; farmhash-modern's disagrees with TensorFlow on
 * inputs of 128, 192, ... bytes and needs a wasm-aware bundler in the browser).
 */
import { fingerprint64 } from './fingerprint64.js';

const MASK = (1n << 64n) - 1n;
const K_MUL = 0xc6a4a7935bd1e995n;

/** Fingerprint64 of the UTF-8 bytes of s, as an unsigned 64-bit bigint. */
export function fingerprint(s: string): bigint {
  return fingerprint64(s);
}

// categorical strings repeat: memoise each bucket count's ids (bounded, cleared when full)
const MEMO_LIMIT = 1 << 16;
const memo = new Map<number, Map<string, number>>();

/** tf.strings.to_hash_bucket_fast(s, buckets). */
export function hashBucket(s: string, buckets: number): number {
  let m = memo.get(buckets);
  if (!m) memo.set(buckets, (m = new Map()));
  let id = m.get(s);
  if (id === undefined) {
    id = Number(fingerprint64(s) % BigInt(buckets));
    if (m.size >= MEMO_LIMIT) m.clear();
    m.set(s, id);
  }
  return id;
}

const shiftMix = (v: bigint): bigint => v ^ (v >> 47n);

/** TensorFlow's FingerprintCat64(fp1, fp2) (tensorflow/core/platform/fingerprint.h): not commutative. */
export function fingerprintCat64(fp1: bigint, fp2: bigint): bigint {
  let result = fp1 ^ K_MUL;
  result ^= (shiftMix((fp2 * K_MUL) & MASK) * K_MUL) & MASK;
  result = (result * K_MUL) & MASK;
  result = (shiftMix(result) * K_MUL) & MASK;
  return shiftMix(result);
}

/** One feature of a cross: strings (no nulls: apply checks presence first), or integer ids. */
export type CrossPart = { t: 'str'; v: readonly (string | null)[] } | { t: 'id'; v: Int32Array };

/** Ids of tf.sparse.cross_hashed(parts, buckets, hashKey) for one value per part per row. */
export function crossHashed(parts: readonly CrossPart[], rows: number, buckets: number, hashKey: bigint): Int32Array {
  const out = new Int32Array(rows);
  const b = BigInt(buckets);
  const strMemo = parts.map(() => new Map<string, bigint>());
  // crosses of categorical features repeat too: memoise the id of each combination
  const combos = new Map<string, number>();
  for (let r = 0; r < rows; r++) {
    let key = '';
    // length-prefixed, so no two combinations share a key
    for (const part of parts) key += part.t === 'id' ? `i${part.v[r]};` : `s${part.v[r]!.length}:${part.v[r]}`;
    const known = combos.get(key);
    if (known !== undefined) {
      out[r] = known;
      continue;
    }
    let h = hashKey;
    for (let p = 0; p < parts.length; p++) {
      const part = parts[p]!;
      let fp: bigint;
      if (part.t === 'id') fp = BigInt.asUintN(64, BigInt(part.v[r]!));
      else {
        const s = part.v[r]!;
        const m = strMemo[p]!;
        let f = m.get(s);
        if (f === undefined) m.set(s, (f = fingerprint64(s)));
        fp = f;
      }
      h = fingerprintCat64(h, fp);
    }
    out[r] = Number(h % b);
    if (combos.size < MEMO_LIMIT) combos.set(key, out[r]!);
  }
  return out;
}
