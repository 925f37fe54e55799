/**
 * FarmHash Fingerprint64 (farmhashna::Hash64, FarmHash 1.1) in plain TypeScript over bigints:
 * TensorFlow's Fingerprint64, so hashed ids equal TensorFlow's. Written out rather than taken
 * from farmhash-modern for two reasons: that package gives other values than TensorFlow for
 * inputs of 128, 192, 256, ... bytes (multiples of 64 from 128 on), and its browser build imports
 * its .wasm as an ES module, which a browser without a wasm-aware bundler cannot load.
 * test/ml/transform/fingerprint.test.ts checks it against farmhash-modern on every other length,
 * and tft-parity.test.ts against TensorFlow itself on every length from 0 to 300.
 * Callers memoise: categorical strings repeat, so the bigint cost is paid once per distinct value.
 */

const M = (1n << 64n) - 1n;
const K0 = 0xc3a5c85c97cb3127n;
const K1 = 0xb492b66fbe98f273n;
const K2 = 0x9ae16a3b2f90404fn;

const mul = (a: bigint, b: bigint): bigint => (a * b) & M;
const add = (a: bigint, b: bigint): bigint => (a + b) & M;
const rot = (v: bigint, s: bigint): bigint => ((v >> s) | (v << (64n - s))) & M;
const shiftMix = (v: bigint): bigint => v ^ (v >> 47n);

function hashLen16(u: bigint, v: bigint, m: bigint): bigint {
  let a = mul(u ^ v, m);
  a ^= a >> 47n;
  let b = mul(v ^ a, m);
  b ^= b >> 47n;
  return mul(b, m);
}

class Bytes {
  private readonly view: DataView;
  constructor(readonly b: Uint8Array) {
    this.view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  }
  /** little-endian uint64 at i */
  u64(i: number): bigint {
    return this.view.getBigUint64(i, true);
  }
  u32(i: number): bigint {
    return BigInt(this.view.getUint32(i, true));
  }
}

function len0to16(s: Bytes, len: number): bigint {
  const n = BigInt(len);
  if (len >= 8) {
    const m = add(K2, n * 2n);
    const a = add(s.u64(0), K2);
    const b = s.u64(len - 8);
    const c = add(mul(rot(b, 37n), m), a);
    const d = mul(add(rot(a, 25n), b), m);
    return hashLen16(c, d, m);
  }
  if (len >= 4) {
    const m = add(K2, n * 2n);
    return hashLen16(add(n, s.u32(0) << 3n), s.u32(len - 4), m);
  }
  if (len > 0) {
    const y = BigInt(s.b[0]! + (s.b[len >> 1]! << 8));
    const z = BigInt(len + (s.b[len - 1]! << 2));
    return mul(shiftMix(mul(y, K2) ^ mul(z, K0)), K2);
  }
  return K2;
}

function len17to32(s: Bytes, len: number): bigint {
  const m = add(K2, BigInt(len) * 2n);
  const a = mul(s.u64(0), K1);
  const b = s.u64(8);
  const c = mul(s.u64(len - 8), m);
  const d = mul(s.u64(len - 16), K2);
  return hashLen16(add(add(rot(add(a, b), 43n), rot(c, 30n)), d), add(add(a, rot(add(b, K2), 18n)), c), m);
}

function len33to64(s: Bytes, len: number): bigint {
  const m = add(K2, BigInt(len) * 2n);
  const a = mul(s.u64(0), K2);
  const b = s.u64(8);
  const c = mul(s.u64(len - 8), m);
  const d = mul(s.u64(len - 16), K2);
  const y = add(add(rot(add(a, b), 43n), rot(c, 30n)), d);
  const z = hashLen16(y, add(add(a, rot(add(b, K2), 18n)), c), m);
  const e = mul(s.u64(16), m);
  const f = s.u64(24);
  const g = mul(add(y, s.u64(len - 32)), m);
  const h = mul(add(z, s.u64(len - 24)), m);
  return hashLen16(add(add(rot(add(e, f), 43n), rot(g, 30n)), h), add(add(e, rot(add(f, a), 18n)), g), m);
}

/** (a, b) of WeakHashLen32WithSeeds over the 32 bytes at i */
function weak32(s: Bytes, i: number, a: bigint, b: bigint): [bigint, bigint] {
  const w = s.u64(i);
  const x = s.u64(i + 8);
  const y = s.u64(i + 16);
  const z = s.u64(i + 24);
  a = add(a, w);
  b = rot(add(add(b, a), z), 21n);
  const c = a;
  a = add(add(a, x), y);
  b = add(b, rot(a, 44n));
  return [add(a, z), add(b, c)];
}

/** Fingerprint64 of bytes (tensorflow::Fingerprint64), as an unsigned 64-bit bigint. */
export function fingerprint64Bytes(bytes: Uint8Array): bigint {
  const s = new Bytes(bytes);
  const len = bytes.length;
  if (len <= 16) return len0to16(s, len);
  if (len <= 32) return len17to32(s, len);
  if (len <= 64) return len33to64(s, len);
  const seed = 81n;
  let x = seed;
  let y = add(mul(seed, K1), 113n);
  let z = mul(shiftMix(add(mul(y, K2), 113n)), K2);
  let v: [bigint, bigint] = [0n, 0n];
  let w: [bigint, bigint] = [0n, 0n];
  x = add(mul(x, K2), s.u64(0));
  const end = Math.floor((len - 1) / 64) * 64;
  const last64 = end + ((len - 1) & 63) - 63;
  let p = 0;
  do {
    x = mul(rot(add(add(add(x, y), v[0]), s.u64(p + 8)), 37n), K1);
    y = mul(rot(add(add(y, v[1]), s.u64(p + 48)), 42n), K1);
    x ^= w[1];
    y = add(y, add(v[0], s.u64(p + 40)));
    z = mul(rot(add(z, w[0]), 33n), K1);
    v = weak32(s, p, mul(v[1], K1), add(x, w[0]));
    w = weak32(s, p + 32, add(z, w[1]), add(y, s.u64(p + 16)));
    [z, x] = [x, z];
    p += 64;
  } while (p !== end);
  const m = add(K1, (z & 0xffn) << 1n);
  p = last64;
  w[0] = add(w[0], BigInt((len - 1) & 63));
  v[0] = add(v[0], w[0]);
  w[0] = add(w[0], v[0]);
  x = mul(rot(add(add(add(x, y), v[0]), s.u64(p + 8)), 37n), m);
  y = mul(rot(add(add(y, v[1]), s.u64(p + 48)), 42n), m);
  x ^= mul(w[1], 9n);
  y = add(y, add(mul(v[0], 9n), s.u64(p + 40)));
  z = mul(rot(add(z, w[0]), 33n), m);
  v = weak32(s, p, mul(v[1], m), add(x, w[0]));
  w = weak32(s, p + 32, add(z, w[1]), add(y, s.u64(p + 16)));
  [z, x] = [x, z];
  return hashLen16(add(add(hashLen16(v[0], w[0], m), mul(shiftMix(y), K0)), z), add(hashLen16(v[1], w[1], m), x), m);
}

const utf8 = new TextEncoder();

/** Fingerprint64 of a string's UTF-8 bytes. */
export function fingerprint64(s: string): bigint {
  return fingerprint64Bytes(utf8.encode(s));
}
