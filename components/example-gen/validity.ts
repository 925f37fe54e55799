/**
 * Null checks on Arrow Data in the per-row loops of ExampleGen (split hashing, row selection,
 * concatenation): Data.getValid re-checks the type on every call, which showed in profiles.
 */
import type { Data } from 'apache-arrow';

/** Whether row `r` of `data` is non-null. */
export function validity(data: Data): (r: number) => boolean {
  const bitmap = data.nullBitmap;
  if (!data.nullCount || !bitmap?.length) return () => true;
  // the validity bitmap is not sliced with the data: rows count from the data's offset
  const at = data.offset;
  return (r) => ((bitmap[(at + r) >> 3]! >> ((at + r) & 7)) & 1) === 1;
}
