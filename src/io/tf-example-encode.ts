/**
 * tf.Example encoder. Writes what TensorFlow writes: map entries key-then-value, floats and
 * int64s packed, an empty list as an empty list message (so the feature stays present).
 * One encoder is reused across examples; it keeps its buffers between them.
 */
import { DataError } from '../errors.js';

const TWO_32 = 2 ** 32;
const TWO_63 = 2 ** 63;

const varintLen32 = (v: number): number => (v >>> 0 < 128 ? 1 : Math.ceil((32 - Math.clz32(v)) / 7));
const varintLen64 = (lo: number, hi: number): number =>
  hi === 0 ? varintLen32(lo) : Math.ceil((64 - Math.clz32(hi)) / 7);

export class ExampleEncoder {
  private body = Buffer.allocUnsafe(1 << 16);
  private n = 0;
  private out = Buffer.allocUnsafe(1 << 16);
  /** (lo, hi) halves of the int list being written */
  private parts = new Int32Array(256);
  private view = new DataView(this.body.buffer, this.body.byteOffset, this.body.byteLength);

  /** Starts a new Example. */
  begin(): void {
    this.n = 0;
  }

  private ensure(extra: number): void {
    if (this.n + extra <= this.body.length) return;
    let cap = this.body.length * 2;
    while (cap < this.n + extra) cap *= 2;
    const next = Buffer.allocUnsafe(cap);
    this.body.copy(next, 0, 0, this.n);
    this.body = next;
    this.view = new DataView(next.buffer, next.byteOffset, next.byteLength);
  }

  private varint(v: number): void {
    const b = this.body;
    while (v >= 128) {
      b[this.n++] = (v & 0x7f) | 0x80;
      v = Math.floor(v / 128);
    }
    b[this.n++] = v;
  }

  /** map entry header up to the list payload: entry{ key, value: Feature{ <kind>_list{ ... } } } */
  private entry(name: Uint8Array, kindField: number, listLen: number): void {
    const featureLen = 1 + varintLen32(listLen) + listLen;
    const entryLen = 1 + varintLen32(name.length) + name.length + 1 + varintLen32(featureLen) + featureLen;
    this.ensure(5 * 4 + name.length + listLen + 4);
    this.body[this.n++] = 0x0a;
    this.varint(entryLen);
    this.body[this.n++] = 0x0a;
    this.varint(name.length);
    this.body.set(name, this.n);
    this.n += name.length;
    this.body[this.n++] = 0x12;
    this.varint(featureLen);
    this.body[this.n++] = (kindField << 3) | 2;
    this.varint(listLen);
  }

  /** int64 values given as (lo, hi) 32-bit halves: parts[2i], parts[2i+1] for i in [from, to) */
  intParts(name: Uint8Array, parts: Int32Array, from: number, to: number): void {
    let payload = 0;
    for (let i = from; i < to; i++) payload += varintLen64(parts[2 * i]!, parts[2 * i + 1]!);
    const listLen = to > from ? 1 + varintLen32(payload) + payload : 0;
    this.entry(name, 3, listLen);
    if (to === from) return;
    this.body[this.n++] = 0x0a;
    this.varint(payload);
    const b = this.body;
    let n = this.n;
    for (let i = from; i < to; i++) {
      let lo = parts[2 * i]! >>> 0;
      let hi = parts[2 * i + 1]! >>> 0;
      while (hi !== 0 || lo >= 128) {
        b[n++] = (lo & 0x7f) | 0x80;
        lo = ((lo >>> 7) | (hi << 25)) >>> 0;
        hi >>>= 7;
      }
      b[n++] = lo;
    }
    this.n = n;
  }

  /** int64 values as JS integers (any safe or exactly representable int64) or bigints */
  ints(name: Uint8Array, values: ArrayLike<number | bigint>, from = 0, to = values.length): void {
    const count = to - from;
    if (this.parts.length < 2 * count) this.parts = new Int32Array(2 * count);
    const parts = this.parts;
    for (let i = 0; i < count; i++) {
      const v = values[from + i]!;
      let lo: number;
      let hi: number;
      if (typeof v === 'bigint') {
        if (BigInt.asIntN(64, v) !== v && BigInt.asUintN(64, v) !== v) throw new DataError(`int64 value ${v} is out of range`);
        lo = Number(v & 0xffffffffn);
        hi = Number((v >> 32n) & 0xffffffffn);
      } else {
        if (!Number.isInteger(v) || v < -TWO_63 || v >= TWO_63) throw new DataError(`int64 value ${v} is not an integer in range`);
        hi = Math.floor(v / TWO_32);
        lo = v - hi * TWO_32;
      }
      parts[2 * i] = lo;
      parts[2 * i + 1] = hi;
    }
    this.intParts(name, parts, 0, count);
  }

  /** float values, stored as float32 (a Float32Array source is copied bit-exactly) */
  floats(name: Uint8Array, values: ArrayLike<number>, from = 0, to = values.length): void {
    const payload = 4 * (to - from);
    const listLen = payload > 0 ? 1 + varintLen32(payload) + payload : 0;
    this.entry(name, 2, listLen);
    if (payload === 0) return;
    this.body[this.n++] = 0x0a;
    this.varint(payload);
    if (values instanceof Float32Array) {
      this.body.set(new Uint8Array(values.buffer, values.byteOffset + 4 * from, payload), this.n);
      this.n += payload;
      return;
    }
    const view = this.view;
    for (let i = from; i < to; i++, this.n += 4) view.setFloat32(this.n, values[i]!, true);
  }

  /** bytes values laid out as Arrow's Binary/Utf8: value i is data[offsets[i], offsets[i+1]) */
  bytesFrom(name: Uint8Array, data: Uint8Array, offsets: ArrayLike<number>, from: number, to: number): void {
    let listLen = 0;
    for (let i = from; i < to; i++) {
      const len = offsets[i + 1]! - offsets[i]!;
      listLen += 1 + varintLen32(len) + len;
    }
    this.entry(name, 1, listLen);
    for (let i = from; i < to; i++) {
      const s = offsets[i]!;
      const len = offsets[i + 1]! - s;
      this.body[this.n++] = 0x0a;
      this.varint(len);
      this.body.set(data.subarray(s, s + len), this.n);
      this.n += len;
    }
  }

  /** bytes values given as byte arrays or strings (written as UTF-8) */
  bytes(name: Uint8Array, values: ArrayLike<Uint8Array | string>): void {
    const chunks: Uint8Array[] = [];
    for (let i = 0; i < values.length; i++) {
      const v = values[i]!;
      chunks.push(typeof v === 'string' ? Buffer.from(v, 'utf8') : v);
    }
    const offsets = new Int32Array(chunks.length + 1);
    for (let i = 0; i < chunks.length; i++) offsets[i + 1] = offsets[i]! + chunks[i]!.length;
    this.bytesFrom(name, Buffer.concat(chunks), offsets, 0, chunks.length);
  }

  /** The finished Example. A view into a reused buffer: valid until the next finish(). */
  finish(): Uint8Array {
    const len = 1 + varintLen32(this.n) + this.n;
    if (this.out.length < len) this.out = Buffer.allocUnsafe(Math.max(len, this.out.length * 2));
    const out = this.out;
    out[0] = 0x0a;
    let p = 1;
    let v = this.n;
    while (v >= 128) {
      out[p++] = (v & 0x7f) | 0x80;
      v = Math.floor(v / 128);
    }
    out[p++] = v;
    this.body.copy(out, p, 0, this.n);
    return out.subarray(0, len);
  }
}
