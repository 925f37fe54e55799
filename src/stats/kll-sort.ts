/**
 * Sorting a KLL level before compaction, the statistics' hottest loop (every value is sorted
 * about twice on its way up the levels). The result must be exactly what the native
 * Float64Array sort gives (-0 before +0; NaN never reaches a sketch), since that defines which
 * items a compaction promotes.
 */

/** below this many items an insertion sort beats the others */
const INSERTION_SORT_MAX = 64;

/** -0 before +0, as the native typed-array sort orders them (NaN never reaches a sketch) */
function before(a: number, b: number): boolean {
  return a < b || (a === 0 && b === 0 && 1 / a < 0 && 1 / b > 0);
}

let mergeTmp = new Float64Array(1024);

/**
 * Sort buf[0 .. len) in place, in the order of the native Float64Array sort (which the
 * sketch's contents were defined with); returns buf. This is the statistics' hottest loop:
 * small levels take an insertion sort (the native sort's call overhead dominates there),
 * levels made of a few sorted runs (every level above 0: each compaction below appends one)
 * are merged, the rest go to the native sort.
 */
export function sortPrefix(buf: Float64Array, len: number): Float64Array {
  if (len <= INSERTION_SORT_MAX) {
    for (let i = 1; i < len; i++) {
      const v = buf[i]!;
      let j = i;
      while (j > 0 && before(v, buf[j - 1]!)) {
        buf[j] = buf[j - 1]!;
        j--;
      }
      buf[j] = v;
    }
    return buf;
  }
  const bounds = [0];
  const most = len >> 4;
  for (let i = 1; i < len && bounds.length <= most; i++) if (before(buf[i]!, buf[i - 1]!)) bounds.push(i);
  if (bounds.length > most) {
    buf.subarray(0, len).sort();
    return buf;
  }
  bounds.push(len);
  if (mergeTmp.length < len) mergeTmp = new Float64Array(len * 2);
  let src: Float64Array = buf;
  let dst: Float64Array = mergeTmp;
  while (bounds.length > 2) {
    const next = [0];
    for (let r = 0; r + 1 < bounds.length; r += 2) {
      const lo = bounds[r]!;
      const mid = bounds[r + 1]!;
      const hi = r + 2 < bounds.length ? bounds[r + 2]! : mid;
      let a = lo;
      let b = mid;
      let o = lo;
      while (a < mid && b < hi) dst[o++] = before(src[b]!, src[a]!) ? src[b++]! : src[a++]!;
      while (a < mid) dst[o++] = src[a++]!;
      while (b < hi) dst[o++] = src[b++]!;
      next.push(hi);
    }
    bounds.length = 0;
    for (const x of next) bounds.push(x);
    const t = src;
    src = dst;
    dst = t;
  }
  if (src !== buf) buf.set(src.subarray(0, len));
  return buf;
}
