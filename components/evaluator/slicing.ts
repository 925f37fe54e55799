/**
 * Slices as TFMA makes them: a SliceSpec's `features` give one slice per value (a cross of
 * several features gives one per combination), its `values` keep only matching rows; the
 * overall slice (empty key) is always there. A multi-valued feature puts its row in one slice
 * per value, as TFMA's slicer does; a row missing a feature is in none of that spec's slices.
 */
import type { RawBatch, RawColumn } from '../../src/ml/transform/index.js';
import { DefinitionError } from '../../src/errors.js';
import type { SliceSpec } from './spec.js';

/** A slice: (feature, value) pairs sorted by feature; [] is the overall slice. */
export type SliceKey = [string, string][];

export const OVERALL = 'Overall';

/** `Overall`, `Island=Biscoe`, `Island=Biscoe & Sex=MALE`: the name files and `tsfx show` use. */
export function sliceName(key: SliceKey): string {
  return key.length === 0 ? OVERALL : key.map(([f, v]) => `${f}=${v}`).join(' & ');
}

/** The features a spec reads (sliced by, or filtered on). */
export function specFeatures(spec: SliceSpec): string[] {
  return [...new Set([...spec.features, ...Object.keys(spec.values)])].sort();
}

/** Every feature the specs name must be a column of the Examples; the error names the spec and lists the columns. */
export function checkSliceFeatures(specs: readonly SliceSpec[], columns: readonly string[], path: string): void {
  const known = new Set(columns);
  specs.forEach((s, i) => {
    for (const f of specFeatures(s))
      if (!known.has(f))
        throw new DefinitionError(`slice feature '${f}' is not a column of the Examples (they have ${columns.join(', ')})`, [path, i]);
  });
}

/** The values of row `i` of a column as strings (numbers printed as JS prints them); [] when missing. */
function cellValues(col: RawColumn | undefined, i: number): string[] {
  if (!col) return [];
  if (col.kind === 'number') return col.valid && col.valid[i] === 0 ? [] : [String(col.values[i])];
  if (col.kind === 'string') return col.values[i] === null ? [] : [col.values[i]!];
  return (col.values[i] ?? []).map(String);
}

/** Does slice `key` belong to `spec` (TFMA's is_slice_applicable): the same features, and the spec's fixed values. */
export function sliceMatches(spec: SliceSpec, key: SliceKey): boolean {
  const features = specFeatures(spec);
  if (features.length !== key.length || features.some((f, i) => key[i]![0] !== f)) return false;
  return key.every(([f, v]) => !(f in spec.values) || String(spec.values[f]) === v);
}

/**
 * The rows of a batch in each slice the specs make (overall first), keyed by slice name. Row
 * indices are into the batch.
 */
export function sliceRows(batch: RawBatch, specs: readonly SliceSpec[]): Map<string, { key: SliceKey; rows: number[] }> {
  const out = new Map<string, { key: SliceKey; rows: number[] }>();
  out.set(OVERALL, { key: [], rows: Array.from({ length: batch.numRows }, (_, i) => i) });
  // two specs can make the same slice ({features: [a]} and {values: {a: x}}): the first one fills it
  const owner = new Map<string, number>();
  for (const [k, spec] of specs.entries()) {
    const features = specFeatures(spec);
    if (features.length === 0) continue; // the overall slice, already there
    const cols = features.map((f) => batch.columns[f]);
    const add = (name: string, key: () => SliceKey, i: number) => {
      if ((owner.get(name) ?? k) !== k) return;
      owner.set(name, k);
      let slot = out.get(name);
      if (!slot) out.set(name, (slot = { key: key(), rows: [] }));
      // a list [a, a] is one membership, not two
      if (slot.rows.at(-1) !== i) slot.rows.push(i);
    };
    const values: string[][] = features.map(() => []);
    for (let i = 0; i < batch.numRows; i++) {
      let single = true;
      let empty = false;
      for (let j = 0; j < features.length; j++) {
        const f = features[j]!;
        let v = cellValues(cols[j], i);
        if (f in spec.values) v = v.filter((x) => x === String(spec.values[f]));
        values[j] = v;
        if (v.length === 0) empty = true;
        if (v.length > 1) single = false;
      }
      if (empty) continue;
      if (single) {
        // the common case, one value per feature: the name alone, the key only for a new slice
        let name = '';
        for (let j = 0; j < features.length; j++) name += `${j ? ' & ' : ''}${features[j]}=${values[j]![0]}`;
        add(name, () => features.map((f, j): [string, string] => [f, values[j]![0]!]), i);
        continue;
      }
      // multi-valued features: the cross product of each feature's values
      let keys: SliceKey[] = [[]];
      for (let j = 0; j < features.length; j++) keys = keys.flatMap((key) => values[j]!.map((v): SliceKey => [...key, [features[j]!, v]]));
      for (const key of keys) add(sliceName(key), () => key, i);
    }
  }
  return out;
}
