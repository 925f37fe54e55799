/**
 * Hand-written protobuf decoder for tf.Example that writes straight into an
 * ExampleBatchBuilder, without building message objects.
 *
 *   Example  { Features features = 1; }
 *   Features { map<string, Feature> feature = 1; }       // entries: { key = 1; value = 2; }
 *   Feature  { oneof kind { BytesList bytes_list = 1; FloatList float_list = 2; Int64List int64_list = 3; } }
 *   *List    { repeated value = 1; }                     // floats/ints packed or not: both accepted
 *
 * Full protobuf semantics are kept: unknown fields are skipped, a repeated map key's last entry
 * wins, a Feature whose oneof is set twice keeps the last kind (same kind twice: lists merge).
 * A Feature with no kind set is present-with-no-values when the feature's column already exists,
 * and is skipped otherwise (there is no kind to give a new column).
 */
import { DataError } from '../errors.js';
import type { ColumnBuilder, ExampleBatchBuilder, FeatureKind } from './columns.js';

const KIND_BY_FIELD: (FeatureKind | undefined)[] = [undefined, 'bytes', 'float', 'int'];

/** A feature name seen before, with its column once one exists. */
interface NameSlot {
  bytes: Uint8Array;
  name: string;
  col: ColumnBuilder | undefined;
}

const utf8 = new TextDecoder();

export class ExampleDecoder {
  /** per entry position, the slot that was there last record: names usually come in the same order */
  private readonly predicted: NameSlot[] = [];
  private readonly byName = new Map<string, NameSlot>();
  private buf: Uint8Array = new Uint8Array(0);
  private row = 0;
  /** set by readVarint64 */
  private lo = 0;
  private hi = 0;
  private index = -1;
  private offset = -1;
  private whereText: string | undefined;

  constructor(
    readonly builder: ExampleBatchBuilder,
    /** named in errors; may change between records (one decoder per builder, many files) */
    public file?: string,
  ) {}

  /** Where the current record is, built only when an error needs it. */
  where(): string | undefined {
    if (this.whereText !== undefined) return this.whereText;
    if (this.index < 0) return undefined;
    return this.offset >= 0 ? `record ${this.index} at byte ${this.offset}` : `record ${this.index}`;
  }

  private fail(msg: string, at: number): never {
    throw new DataError(`malformed tf.Example: ${msg} (at byte ${at} of the record)`, this.file, this.where());
  }

  /** Decodes one serialized Example in buf[start, end) as the builder's next row. */
  decode(buf: Uint8Array, start: number, end: number, index = -1, offset = -1, where?: string): void {
    this.buf = buf;
    this.index = index;
    this.offset = offset;
    this.whereText = where;
    this.row = this.builder.beginRow();
    this.base = start;
    let p = start;
    let k = 0;
    while (p < end) {
      const tag = buf[p++]!;
      if (tag === 0x0a) {
        const len = this.readLen(p, end);
        p = this.pos;
        k = this.features(p, p + len, k);
        p += len;
      } else {
        p = this.skip(tag, p, end);
      }
    }
  }

  private base = 0;
  /** position after the last readLen/readVarint64 */
  private pos = 0;

  /** A length-delimited field's length; checks it fits before `end`. */
  private readLen(p: number, end: number): number {
    const buf = this.buf;
    if (p >= end) this.fail('truncated length', p - this.base);
    let b = buf[p++]!;
    let len = b & 0x7f;
    let shift = 7;
    while (b & 0x80) {
      if (p >= end || shift > 28) this.fail(p >= end ? 'truncated length' : 'length varint too long', p - this.base);
      b = buf[p++]!;
      len += (b & 0x7f) * 2 ** shift;
      shift += 7;
    }
    if (p > end || len > end - p) this.fail(`length ${len} runs past the end of its message`, p - this.base);
    this.pos = p;
    return len;
  }

  /** A varint as (lo, hi) 32-bit halves in this.lo / this.hi; returns the position after it. */
  private readVarint64(p: number, end: number): number {
    const buf = this.buf;
    if (p >= end) this.fail('truncated varint', p - this.base);
    let b = buf[p++]!;
    if (b < 0x80) {
      this.lo = b;
      this.hi = 0;
      return p;
    }
    let lo = b & 0x7f;
    let hi = 0;
    for (let shift = 7; shift < 28; shift += 7) {
      if (p >= end) this.fail('truncated varint', p - this.base);
      b = buf[p++]!;
      lo |= (b & 0x7f) << shift;
      if (b < 0x80) {
        this.lo = lo;
        this.hi = 0;
        return p;
      }
    }
    if (p >= end) this.fail('truncated varint', p - this.base);
    b = buf[p++]!;
    lo |= (b & 0x0f) << 28;
    hi = (b & 0x7f) >> 4;
    for (let shift = 3; b & 0x80; shift += 7) {
      if (p >= end) this.fail('truncated varint', p - this.base);
      if (shift > 31) this.fail('varint longer than 10 bytes', p - this.base);
      b = buf[p++]!;
      hi |= (b & 0x7f) << shift;
    }
    this.lo = lo;
    this.hi = hi;
    return p;
  }

  /** Skips a field of an unknown number; returns the position after it. */
  private skip(tag: number, p: number, end: number): number {
    if (tag & 0x80) {
      // multi-byte tag: finish reading it, its wire type is in the first byte
      let b;
      do {
        if (p >= end) this.fail('truncated tag', p - this.base);
        b = this.buf[p++]!;
      } while (b & 0x80);
    }
    switch (tag & 7) {
      case 0:
        return this.readVarint64(p, end);
      case 1:
        if (p + 8 > end) this.fail('truncated fixed64', p - this.base);
        return p + 8;
      case 2: {
        const len = this.readLen(p, end);
        return this.pos + len;
      }
      case 5:
        if (p + 4 > end) this.fail('truncated fixed32', p - this.base);
        return p + 4;
      default:
        return this.fail(`unsupported wire type ${tag & 7}`, p - 1 - this.base);
    }
  }

  /** The map entries of one Features message; k counts entries across the record. */
  private features(p: number, end: number, k: number): number {
    const buf = this.buf;
    const row = this.row;
    while (p < end) {
      // fastest path, most entries: every length one byte, key then value then one list:
      //   0a EL 0a KL <key> 12 FL <kind tag> LL <list>
      // Bytes are read before they are known to be inside the entry; the two equalities
      // with the entry's end reject any such misread before anything is used.
      if (buf[p] === 0x0a && buf[p + 2] === 0x0a) {
        const entryEnd = p + 2 + buf[p + 1]!;
        const keyEnd = p + 4 + buf[p + 3]!;
        const tt = buf[keyEnd + 2]!;
        if (
          buf[p + 1]! < 0x80 && buf[p + 3]! < 0x80 && buf[keyEnd] === 0x12 && entryEnd <= end &&
          buf[keyEnd + 1]! < 0x80 && keyEnd + 2 + buf[keyEnd + 1]! === entryEnd &&
          buf[keyEnd + 3]! < 0x80 && keyEnd + 4 + buf[keyEnd + 3]! === entryEnd &&
          (tt === 0x0a || tt === 0x12 || tt === 0x1a)
        ) {
          const col = this.column(this.slot(p + 4, keyEnd, k), KIND_BY_FIELD[tt >> 3]!);
          col.replaceRow(row);
          const q = keyEnd + 4;
          const n = buf[q + 1]!;
          // and the list is one run of values (packed, or a single bytes value) filling it
          if (buf[q] === 0x0a && n < 0x80 && q + 2 + n === entryEnd) {
            if (tt === 0x12) {
              if (n & 3) this.fail(`packed float list of ${n} bytes`, q + 2 - this.base);
              col.pushFloatsLE(buf, q + 2, n >> 2);
            } else if (tt === 0x1a) {
              this.packedInts(col, q + 2, entryEnd);
            } else {
              col.pushBytes(buf, q + 2, entryEnd);
            }
          } else {
            this.list(col, q, entryEnd);
          }
          p = entryEnd;
          k++;
          continue;
        }
      }
      const tag = buf[p++]!;
      if (tag !== 0x0a) {
        p = this.skip(tag, p, end);
        continue;
      }
      const len = this.readLen(p, end);
      p = this.pos;
      const entryEnd = p + len;
      // fast path: key (field 1) then value (field 2) filling the entry, as every writer emits
      if (buf[p] === 0x0a && buf[p + 1]! < 0x80) {
        const keyStart = p + 2;
        const keyEnd = keyStart + buf[p + 1]!;
        if (keyEnd < entryEnd && buf[keyEnd] === 0x12) {
          const vlen = this.readLen(keyEnd + 1, entryEnd);
          if (this.pos + vlen === entryEnd) {
            this.feature(this.slot(keyStart, keyEnd, k), this.pos, entryEnd);
            p = entryEnd;
            k++;
            continue;
          }
        }
      }
      this.entrySlow(p, entryEnd, k);
      p = entryEnd;
      k++;
    }
    return k;
  }

  /** A map entry in any field order, possibly with repeated or missing key/value. */
  private entrySlow(p: number, end: number, k: number): void {
    let keyStart = 0;
    let keyEnd = 0;
    const values: number[] = [];
    while (p < end) {
      const tag = this.buf[p++]!;
      if (tag === 0x0a || tag === 0x12) {
        const len = this.readLen(p, end);
        if (tag === 0x0a) [keyStart, keyEnd] = [this.pos, this.pos + len];
        else values.push(this.pos, this.pos + len);
        p = this.pos + len;
      } else {
        p = this.skip(tag, p, end);
      }
    }
    const slot = this.slot(keyStart, keyEnd, k);
    // a value message given twice is merged, which is what decoding both in turn does
    if (values.length === 0) this.feature(slot, 0, 0);
    for (let i = 0; i < values.length; i += 2) this.feature(slot, values[i]!, values[i + 1]!, i > 0);
  }

  /** The slot for the name in buf[start, end): first the one predicted for entry k, then by name. */
  private slot(start: number, end: number, k: number): NameSlot {
    const buf = this.buf;
    const guess = this.predicted[k];
    if (guess !== undefined) {
      const g = guess.bytes;
      const n = g.length;
      if (n === end - start) {
        let i = 0;
        while (i < n && g[i] === buf[start + i]) i++;
        if (i === n) return guess;
      }
    }
    const name = utf8.decode(buf.subarray(start, end));
    let slot = this.byName.get(name);
    if (!slot) {
      slot = { bytes: buf.slice(start, end), name, col: undefined };
      this.byName.set(name, slot);
    }
    this.predicted[k] = slot;
    return slot;
  }

  private column(slot: NameSlot, kind: FeatureKind): ColumnBuilder {
    const col = slot.col;
    if (col !== undefined && col.kind === kind) return col;
    // new column, or a kind conflict, which column() reports naming the feature and record
    return (slot.col = this.builder.column(slot.name, kind, this.file, this.where()));
  }

  /** One Feature message in buf[start, end). `merge`: a second value message for the same entry. */
  private feature(slot: NameSlot, start: number, end: number, merge = false): void {
    const buf = this.buf;
    const tag = buf[start];
    // fast path: exactly one list field filling the message
    if (end > start && (tag === 0x0a || tag === 0x12 || tag === 0x1a) && end - start >= 2) {
      const len = this.readLen(start + 1, end);
      if (this.pos + len === end) {
        const col = this.column(slot, KIND_BY_FIELD[tag >> 3]!);
        if (merge) col.present(this.row);
        else col.replaceRow(this.row);
        this.list(col, this.pos, end);
        return;
      }
    }
    this.featureSlow(slot, start, end, merge);
  }

  private featureSlow(slot: NameSlot, start: number, end: number, merge: boolean): void {
    // the oneof's last kind wins; lists of that kind given after any other kind are merged
    let kindField = 0;
    let from = start;
    for (let p = start; p < end; ) {
      const tag = this.buf[p++]!;
      const field = tag >> 3;
      if ((tag & 7) === 2 && field >= 1 && field <= 3) {
        if (field !== kindField) [kindField, from] = [field, p - 1];
        const len = this.readLen(p, end);
        p = this.pos + len;
      } else {
        p = this.skip(tag, p, end);
      }
    }
    if (kindField === 0) {
      // no kind set: present with no values if we know the column's kind, otherwise skipped
      const col = slot.col;
      if (col && !merge) col.replaceRow(this.row);
      return;
    }
    const col = this.column(slot, KIND_BY_FIELD[kindField]!);
    if (merge) col.present(this.row);
    else col.replaceRow(this.row);
    for (let p = from; p < end; ) {
      const tag = this.buf[p++]!;
      if (tag >> 3 === kindField && (tag & 7) === 2) {
        const len = this.readLen(p, end);
        this.list(col, this.pos, this.pos + len);
        p = this.pos + len;
      } else {
        p = this.skip(tag, p, end);
      }
    }
  }

  private packedInts(col: ColumnBuilder, q: number, stop: number): void {
    const buf = this.buf;
    while (q < stop) {
      const b = buf[q]!;
      if (b < 0x80) {
        col.pushIntParts(b, 0);
        q++;
      } else {
        q = this.readVarint64(q, stop);
        col.pushIntParts(this.lo, this.hi);
      }
    }
  }

  /** The values of a BytesList / FloatList / Int64List in buf[p, end) onto col. */
  private list(col: ColumnBuilder, p: number, end: number): void {
    const buf = this.buf;
    const kind = col.kind;
    while (p < end) {
      const tag = buf[p++]!;
      if (tag === 0x0a) {
        let len = buf[p]!;
        if (len < 0x80 && p + 1 + len <= end) p++;
        else {
          len = this.readLen(p, end);
          p = this.pos;
        }
        if (kind === 'bytes') {
          col.pushBytes(buf, p, p + len);
        } else if (kind === 'float') {
          if (len & 3) this.fail(`packed float list of ${len} bytes`, p - this.base);
          col.pushFloatsLE(buf, p, len >> 2);
        } else {
          this.packedInts(col, p, p + len);
        }
        p += len;
      } else if (tag === 0x0d && kind === 'float') {
        if (p + 4 > end) this.fail('truncated float', p - this.base);
        col.pushFloatsLE(buf, p, 1);
        p += 4;
      } else if (tag === 0x08 && kind === 'int') {
        p = this.readVarint64(p, end);
        col.pushIntParts(this.lo, this.hi);
      } else {
        p = this.skip(tag, p, end);
      }
    }
  }
}
