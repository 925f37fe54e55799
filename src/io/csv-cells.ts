/**
 * Cell values: the rules (strings, shared with the JSON reader) and fast paths over the bytes
 * of the common shapes (plain integers and decimals). A fast path answers only when its answer
 * is exactly the rules' answer, and `undefined` (ask the rules) otherwise.
 */
import type { FeatureKind } from './columns.js';

const INT_RE = /^\s*[+-]?\d+\s*$/;
const FLOAT_RE = /^\s*[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?\s*$/;
// the spellings strtod (and so TensorFlow's CSV decoding) accepts for non-finite values
const SPECIAL_RE = /^\s*([+-]?)(nan|inf|infinity)\s*$/i;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** An integer as a number when exact, a bigint when past 2^53; undefined when not an int64. */
export function parseIntCell(s: string): number | bigint | undefined {
  if (!INT_RE.test(s)) return undefined;
  const n = Number(s);
  if (Number.isSafeInteger(n)) return n;
  const b = BigInt(s.trim());
  return b >= INT64_MIN && b <= INT64_MAX ? b : undefined;
}

export function parseFloatCell(s: string): number | undefined {
  if (FLOAT_RE.test(s)) return Number(s);
  const m = SPECIAL_RE.exec(s);
  if (!m) return undefined;
  if (m[2]!.toLowerCase() === 'nan') return NaN;
  return m[1] === '-' ? -Infinity : Infinity;
}

export function cellKind(s: string): FeatureKind {
  if (parseIntCell(s) !== undefined) return 'int';
  if (parseFloatCell(s) !== undefined) return 'float';
  return 'bytes';
}

const PLUS = 0x2b;
const MINUS = 0x2d;
const DOT = 0x2e;
const ZERO = 0x30;
/** 10^k for k <= 22 are exact doubles */
const POW10 = Array.from({ length: 23 }, (_, k) => 10 ** k);

/**
 * Shared scan of `[+-]?digits[.digits]` in b[s, e). Returns the digits as an integer when there
 * are 1-15 of them (so < 2^53, exact), with the count after the dot in `shape.frac` (-1: no dot),
 * or -1 when the cell has another shape or more digits.
 */
const shape = { frac: -1, neg: false, digits: 0 };
function scanDecimal(b: Uint8Array, s: number, e: number): number {
  let i = s;
  const c0 = b[i];
  shape.neg = c0 === MINUS;
  if (c0 === MINUS || c0 === PLUS) i++;
  let m = 0;
  let digits = 0;
  let dot = -1;
  for (; i < e; i++) {
    const d = b[i]! - ZERO;
    if (d >= 0 && d <= 9) {
      m = m * 10 + d;
      digits++;
    } else if (d === DOT - ZERO && dot < 0) {
      dot = i;
    } else {
      shape.digits = 0;
      return -1;
    }
  }
  shape.digits = digits;
  shape.frac = dot < 0 ? -1 : e - dot - 1;
  return digits === 0 || digits > 15 ? -1 : m;
}

/** parseIntCell of a plain integer, read from bytes; undefined: not that shape, use parseIntCell. */
export function intAt(b: Uint8Array, s: number, e: number): number | undefined {
  const m = scanDecimal(b, s, e);
  if (m < 0 || shape.frac >= 0) return undefined;
  return shape.neg ? -m : m;
}

/**
 * parseFloatCell of a plain decimal, read from bytes; undefined: use parseFloatCell. With at
 * most 15 digits both the digits and the power of ten are exact doubles, so one division is
 * correctly rounded: the same double Number() gives for the text.
 */
export function floatAt(b: Uint8Array, s: number, e: number): number | undefined {
  const m = scanDecimal(b, s, e);
  if (m < 0) return undefined;
  const v = shape.frac > 0 ? m / POW10[shape.frac]! : m;
  return shape.neg ? -v : v;
}

/** cellKind of a plain integer or decimal, from bytes; undefined: use cellKind. */
export function kindAt(b: Uint8Array, s: number, e: number): FeatureKind | undefined {
  const m = scanDecimal(b, s, e);
  if (shape.digits === 0) return undefined;
  if (shape.frac >= 0) return 'float';
  // up to 18 digits always fits an int64
  return m >= 0 || shape.digits <= 18 ? 'int' : undefined;
}
