/**
 * The row hash behind split assignment: each row's chosen features written as canonical bytes
 * (per feature a presence tag and value count, then each value: int64 as 8 bytes LE, float32 as
 * 4, bytes as length + content) and hashed with MurmurHash3. Equal values give equal bytes
 * whatever the column's Arrow layout, so a row lands in the same split on every run.
 *
 * The columns ExampleGen builds (Int64, Float32, Utf8, Binary, and Lists of them) are written
 * straight from their Arrow buffers: no string decode and re-encode per value, which was most of
 * ExampleGen's time. Any other Arrow type goes through the generic per-value path; both paths
 * write the same bytes (tested).
 */
import { DataType, makeVector, type Data, type Table } from 'apache-arrow';
import { validity } from '../../src/io/arrow-validity.js';

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
export class RowEncoder {
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

  /** `n` bytes of `src` from `start`, as they are (a value's wire form is its little-endian buffer form). */
  raw(src: Uint8Array, start: number, n: number): void {
    this.reserve(n);
    // most values are 4 or 8 bytes: a loop beats making a subarray view for each
    if (n <= 16) for (let i = 0; i < n; i++) this.buf[this.len + i] = src[start + i]!;
    else this.buf.set(src.subarray(start, start + n), this.len);
    this.len += n;
  }

  tag(t: number): void {
    this.reserve(1);
    this.buf[this.len++] = t;
  }

  hash(): number {
    return murmur3(this.buf, this.len);
  }
}

type Writer = (enc: RowEncoder, row: number) => void;

/** A column's writer per chunk, fast for ExampleGen's own layouts, generic otherwise. */
function chunkWriter(data: Data): Writer {
  const present = validity(data);
  const absent = present ? (r: number) => present[r] !== 1 : () => false;
  const fast = fastValues(data.type as DataType);
  if (fast) {
    const write = fast(data);
    return (enc, r) => {
      if (absent(r)) return enc.u32(0xffffffff);
      enc.u32(1);
      write(enc, r);
    };
  }
  if (DataType.isList(data.type)) {
    const child = data.children[0]!;
    const item = fastValues(child.type as DataType);
    if (item) {
      const write = item(child);
      const offsets = data.valueOffsets;
      return (enc, r) => {
        if (absent(r)) return enc.u32(0xffffffff);
        const from = offsets[r]!;
        const to = offsets[r + 1]!;
        enc.u32(to - from);
        for (let i = from; i < to; i++) write(enc, i);
      };
    }
  }
  return generic(data);
}

/** Writers of one value for the primitive layouts ExampleGen produces. */
function fastValues(type: DataType): ((data: Data) => Writer) | undefined {
  if (DataType.isInt(type) && type.bitWidth === 64 && type.isSigned) {
    return (data) => {
      const v = data.values as BigInt64Array;
      const bytes = new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
      return (enc, i) => {
        enc.tag(1);
        enc.raw(bytes, i * 8, 8);
      };
    };
  }
  if (DataType.isFloat(type) && type.precision === 1) {
    return (data) => {
      const v = data.values as Float32Array;
      const bytes = new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
      return (enc, i) => {
        const x = v[i]!;
        // NaN goes through the generic path's canonical form, whatever the payload bits
        if (x !== x) return enc.value(x);
        enc.tag(2);
        enc.raw(bytes, i * 4, 4);
      };
    };
  }
  if (DataType.isUtf8(type) || DataType.isBinary(type)) {
    return (data) => {
      const offsets = data.valueOffsets as Int32Array;
      const bytes = data.values as Uint8Array;
      return (enc, i) => {
        const from = offsets[i]!;
        const n = offsets[i + 1]! - from;
        enc.tag(3);
        enc.u32(n);
        enc.raw(bytes, from, n);
      };
    };
  }
  return undefined;
}

/** Arrow's own getter per value: the reference every fast path must agree with. */
function generic(data: Data): Writer {
  const vector = makeVector(data);
  return (enc, r) => enc.feature(vector.get(r));
}

/** Per column, the chunk holding the current row; rows are visited in order, so it only moves forward. */
class ColumnCursor {
  private chunk = -1;
  private start = 0;
  private end = 0;
  private write: Writer = () => undefined;

  constructor(private readonly chunks: readonly Data[] | null) {}

  feature(enc: RowEncoder, row: number): void {
    if (!this.chunks) return enc.u32(0xffffffff);
    while (row >= this.end) {
      this.start = this.end;
      const data = this.chunks[++this.chunk]!;
      this.end = this.start + data.length;
      this.write = chunkWriter(data);
    }
    this.write(enc, row - this.start);
  }
}

/** A 32-bit hash per row of the features `names`, in that order; a feature the table lacks is absent in every row. */
export function rowHashes(table: Table, names: string[]): Uint32Array {
  const cursors = names.map((name) => new ColumnCursor(table.getChild(name)?.data ?? null));
  const enc = new RowEncoder();
  const out = new Uint32Array(table.numRows);
  for (let r = 0; r < table.numRows; r++) {
    enc.reset();
    for (const c of cursors) c.feature(enc, r);
    out[r] = enc.hash();
  }
  return out;
}
