/**
 * Split assignment by a stable hash, TFX's approach: hash the chosen features' values (default:
 * the whole row) and map the hash onto buckets proportional to the split ratios. The same
 * values always land in the same split, across runs and machines, whatever the row order.
 */
import type { Table, Vector } from 'apache-arrow';
import { DataError } from '../../src/errors.js';

/** MurmurHash3 x86 32-bit: fast, well mixed, and plain integer arithmetic (no bigint). */
export function murmur3(bytes: Uint8Array, len: number, seed = 0): number {
  let h = seed >>> 0;
  const c1 = 0xcc9e2d51;
  const c2 = 0x1b873593;
  const blocks = len & ~3;
  for (let i = 0; i < blocks; i += 4) {
    let k = bytes[i]! | (bytes[i + 1]! << 8) | (bytes[i + 2]! << 16) | (bytes[i + 3]! << 24);
    k = Math.imul(k, c1);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, c2);
    h ^= k;
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  }
  let k = 0;
  switch (len & 3) {
    case 3:
      k ^= bytes[blocks + 2]! << 16;
    // falls through
    case 2:
      k ^= bytes[blocks + 1]! << 8;
    // falls through
    case 1:
      k ^= bytes[blocks]!;
      k = Math.imul(k, c1);
      k = (k << 15) | (k >>> 17);
      k = Math.imul(k, c2);
      h ^= k;
  }
  h ^= len;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/**
 * Canonical bytes of some of a row's features: per feature a presence tag and value count, then
 * each value (int64 as 8 bytes LE, float32 as 4 bytes, bytes as length + content). Equal values
 * give equal bytes whatever the column's Arrow layout (plain or List, Utf8 or Binary).
 */
class RowEncoder {
  private buf = new Uint8Array(256);
  private view = new DataView(this.buf.buffer);
  private len = 0;
  private readonly enc = new TextEncoder();

  private reserve(n: number): void {
    if (this.len + n <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < this.len + n) cap *= 2;
    const next = new Uint8Array(cap);
    next.set(this.buf.subarray(0, this.len));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }

  reset(): void {
    this.len = 0;
  }

  u32(v: number): void {
    this.reserve(4);
    this.view.setUint32(this.len, v, true);
    this.len += 4;
  }

  value(v: unknown): void {
    if (typeof v === 'bigint') {
      this.reserve(9);
      this.buf[this.len++] = 1;
      this.view.setBigInt64(this.len, v, true);
      this.len += 8;
    } else if (typeof v === 'number') {
      this.reserve(5);
      this.buf[this.len++] = 2;
      this.view.setFloat32(this.len, v, true);
      this.len += 4;
    } else {
      const bytes = typeof v === 'string' ? this.enc.encode(v) : (v as Uint8Array);
      this.reserve(5 + bytes.length);
      this.buf[this.len++] = 3;
      this.u32(bytes.length);
      this.buf.set(bytes, this.len);
      this.len += bytes.length;
    }
  }

  feature(v: unknown): void {
    if (v === null || v === undefined) return this.u32(0xffffffff);
    if (typeof v === 'object' && !(v instanceof Uint8Array)) {
      const list = [...(v as Iterable<unknown>)];
      this.u32(list.length);
      for (const x of list) this.value(x);
      return;
    }
    this.u32(1);
    this.value(v);
  }

  hash(): number {
    return murmur3(this.buf, this.len);
  }
}

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

/** A 32-bit hash per row of the features `names`, in that order; a feature the table lacks is absent in every row. */
export function rowHashes(table: Table, names: string[]): Uint32Array {
  const cols: (Vector | null)[] = names.map((name) => table.getChild(name));
  const enc = new RowEncoder();
  const out = new Uint32Array(table.numRows);
  for (let r = 0; r < table.numRows; r++) {
    enc.reset();
    for (const col of cols) enc.feature(col ? col.get(r) : null);
    out[r] = enc.hash();
  }
  return out;
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
