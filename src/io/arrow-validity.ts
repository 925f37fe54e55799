/**
 * Which elements of an Arrow Data are present, read once from the null bitmap: the per-row
 * loops of StatisticsGen and ExampleGen index the result instead of calling Data.getValid,
 * which re-checks the type on every call. The bitmap is not sliced with the data, so element
 * i is bit `offset + i`.
 */
import { DataType, type Data } from 'apache-arrow';

/** Validity of the `length` elements of `data`, one byte each (1 = present), or undefined if none is null. */
export function validity(data: Data): Uint8Array | undefined {
  if (data.nullCount === 0 || !data.nullBitmap || data.nullBitmap.length === 0) {
    // a Null-typed column has no bitmap but every element is null
    return DataType.isNull(data.type) && data.length > 0 ? new Uint8Array(data.length) : undefined;
  }
  const bits = data.nullBitmap;
  const out = new Uint8Array(data.length);
  const off = data.offset;
  for (let i = 0; i < data.length; i++) {
    const b = off + i;
    out[i] = (bits[b >> 3]! >> (b & 7)) & 1;
  }
  return out;
}
