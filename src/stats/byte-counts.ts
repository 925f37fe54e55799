/**
 * Counting string values on their bytes. Turning every value into a JS string (a latin1
 * slice) and counting it in a Map costs an allocation and a string hash per value, which was
 * most of the statistics' time on string features. Here the values are counted in an
 * open-addressing table keyed by the value's bytes (one occurrence's offset and length in the
 * leaf buffer, compared byte-wise), and only the distinct values become strings, at the end.
 *
 * The table's buffers are reused from call to call: the engine is synchronous, one column at
 * a time.
 */
import { isUtf8 } from 'node:buffer';

/** what one call hands back: per distinct value, in first-seen order */
export interface ByteCountsSink {
  counts: Map<string, number>;
  totalBytes: number;
  invalidUtf8: number;
}

// slot i: [entry index + 1 (0 = empty), hash]; entry e: [start, length, count] at 3e. Both
// interleaved so that a probe touches one cache line of each, on high-cardinality features too
let slots = new Int32Array(2 << 12);
let entryData = new Int32Array(3 << 10);

/** double the slot table (`size` slots now) and re-place the `entries` first entries */
function rehash(size: number): number {
  const next = size * 2;
  const old = slots;
  slots = new Int32Array(Math.max(old.length, 2 * next));
  const mask = next - 1;
  for (let i = 0; i < size; i++) {
    const at = old[2 * i]!;
    if (at === 0) continue;
    const h = old[2 * i + 1]!;
    let s = h & mask;
    while (slots[2 * s] !== 0) s = (s + 1) & mask;
    slots[2 * s] = at;
    slots[2 * s + 1] = h;
  }
  return next;
}

/**
 * Count the values `bytes[offs[j] .. offs[j+1])` for j in the [from, to) ranges (skipping
 * j with valid[j] === 0) into `sink.counts`, keyed by the value's bytes as a latin1 string.
 */
export function countByteValues(
  bytes: Buffer, offs: Int32Array | Float64Array, ranges: number[], valid: Uint8Array | undefined, sink: ByteCountsSink,
): void {
  let size = 1 << 10;
  slots.fill(0, 0, 2 * size);
  let mask = size - 1;
  let entries = 0;
  let total = 0;
  for (let r = 0; r < ranges.length; r += 2) {
    const to = ranges[r + 1]!;
    for (let j = ranges[r]!; j < to; j++) {
      if (valid && !valid[j]) continue;
      const s = offs[j]!;
      const e = offs[j + 1]!;
      const len = e - s;
      total += len;
      // FNV-1a
      let h = 0x811c9dc5 ^ len;
      for (let b = s; b < e; b++) h = Math.imul(h ^ bytes[b]!, 0x01000193);
      h ^= h >>> 15;
      let slot = h & mask;
      for (;;) {
        const at = slots[2 * slot]!;
        if (at === 0) {
          if (3 * entries + 3 > entryData.length) {
            const grown = new Int32Array(entryData.length * 2);
            grown.set(entryData);
            entryData = grown;
          }
          entryData[3 * entries] = s;
          entryData[3 * entries + 1] = len;
          entryData[3 * entries + 2] = 1;
          slots[2 * slot] = ++entries;
          slots[2 * slot + 1] = h;
          if (entries * 2 > size) {
            size = rehash(size);
            mask = size - 1;
          }
          break;
        }
        if (slots[2 * slot + 1] === h) {
          const x = 3 * (at - 1);
          if (entryData[x + 1] === len && sameBytes(bytes, entryData[x]!, s, len)) {
            entryData[x + 2]!++;
            break;
          }
        }
        slot = (slot + 1) & mask;
      }
    }
  }
  flush(bytes, entries, sink);
  sink.totalBytes += total;
}

function sameBytes(bytes: Buffer, a: number, b: number, len: number): boolean {
  for (let i = 0; i < len; i++) if (bytes[a + i] !== bytes[b + i]) return false;
  return true;
}

function flush(bytes: Buffer, entries: number, sink: ByteCountsSink): void {
  const counts = sink.counts;
  let invalid = 0;
  for (let x = 0; x < entries; x++) {
    const s = entryData[3 * x]!;
    const e = s + entryData[3 * x + 1]!;
    const n = entryData[3 * x + 2]!;
    // validity belongs to the bytes, so one check per distinct value covers its every occurrence
    if (!isAscii(bytes, s, e) && !isUtf8(bytes.subarray(s, e))) invalid += n;
    const key = bytes.toString('latin1', s, e);
    counts.set(key, (counts.get(key) ?? 0) + n);
  }
  sink.invalidUtf8 += invalid;
}

function isAscii(bytes: Buffer, s: number, e: number): boolean {
  for (let i = s; i < e; i++) if (bytes[i]! > 0x7f) return false;
  return true;
}
