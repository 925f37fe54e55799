/**
 * Reads the model's columns out of one Arrow record batch of an Examples shard, row by row into
 * preallocated typed arrays (a shuffle buffer's slot or a batch row). Numeric columns and Lists
 * of numbers only: Transform has already turned strings into ids. A missing column, a null or a
 * row with the wrong number of values is a DataError naming the shard, the column and the row.
 */
import { Type, type DataType, type RecordBatch, type Schema, type Data } from 'apache-arrow';
import { DataError } from '../../errors.js';
import { validity } from '../../io/arrow-validity.js';

/** One column the batches carry: a feature, the label (width 1) or the example weight. */
export interface ColumnSpec {
  name: string;
  dtype: 'float32' | 'int32';
  width: number;
  /** how a message names it: "feature 'x'", "label 'y'" */
  role: string;
}

type Values =
  | Float32Array
  | Float64Array
  | Int8Array
  | Int16Array
  | Int32Array
  | Uint8Array
  | Uint16Array
  | Uint32Array
  | BigInt64Array
  | BigUint64Array;

interface Prepared {
  spec: ColumnSpec;
  values: Values;
  /** List: start of row r's values is offsets[r] - base */
  offsets?: Int32Array;
  base: number;
  /** FixedSizeList: values per row */
  fixed?: number;
  valid?: Uint8Array;
  bigint: boolean;
}

const isNumeric = (t: DataType) => t.typeId === Type.Int || t.typeId === Type.Float;
const isList = (t: DataType) => t.typeId === Type.List || t.typeId === Type.FixedSizeList;

/**
 * Check that `schema` has every column of `specs` with a type we can read; a DataError naming
 * `file` and the column otherwise. Run once per shard, before any row is read.
 */
export function checkColumns(file: string, schema: Schema, specs: ColumnSpec[]): void {
  for (const spec of specs) {
    const field = schema.fields.find((f) => f.name === spec.name);
    if (!field) {
      const have = schema.fields.map((f) => f.name).join(', ');
      throw new DataError(`${spec.role} '${spec.name}' is not a column of this shard (it has: ${have})`, file);
    }
    const t = field.type as DataType;
    const inner = isList(t) ? (t.children[0]!.type as DataType) : t;
    if (!isNumeric(inner)) {
      throw new DataError(
        `${spec.role} '${spec.name}' has Arrow type ${String(t)}; training reads numbers or lists of numbers (map strings to ids in Transform)`,
        file,
      );
    }
    if (!isList(t) && spec.width !== 1) {
      throw new DataError(
        `${spec.role} '${spec.name}' is a scalar column but the model expects ${spec.width} values per example`,
        file,
      );
    }
  }
}

/** The columns of one record batch, ready to copy rows out of. */
export class BatchColumns {
  private readonly cols: Prepared[];

  /** `rowBase`: rows of the shard before this batch, so messages give the row within the shard */
  constructor(
    private readonly file: string,
    batch: RecordBatch,
    specs: ColumnSpec[],
    private readonly rowBase: number,
  ) {
    this.cols = specs.map((spec) => {
      const vec = batch.getChild(spec.name)!;
      const data = vec.data[0] as Data;
      const valid = validity(data);
      if (!isList(data.type))
        return {
          spec,
          values: data.values as Values,
          base: 0,
          valid,
          bigint: data.values instanceof BigInt64Array || data.values instanceof BigUint64Array,
        };
      const child = data.children[0]!;
      if (child.nullCount > 0)
        throw new DataError(
          `${spec.role} '${spec.name}' holds a null inside a list`,
          file,
          `rows ${rowBase}-${rowBase + batch.numRows - 1}`,
        );
      const values = child.values as Values;
      const bigint = values instanceof BigInt64Array || values instanceof BigUint64Array;
      if (data.type.typeId === Type.FixedSizeList)
        return { spec, values, base: 0, fixed: (data.type as unknown as { listSize: number }).listSize, valid, bigint };
      // the offsets are sliced with the list; the child's values may be sliced on their own
      return { spec, values, offsets: data.valueOffsets as Int32Array, base: child.offset, valid, bigint };
    });
  }

  /** Copy row `r` of the batch into `dst[i]` at slot `slot` (slot * width onwards) for every column i. */
  copyRow(r: number, dst: (Float32Array | Int32Array)[], slot: number): void {
    for (let i = 0; i < this.cols.length; i++) {
      const c = this.cols[i]!;
      const { width } = c.spec;
      if (c.valid && !c.valid[r]) this.fail(c, r, 'is null (missing); fill it in Transform or drop the row');
      let start = r;
      if (c.offsets) {
        start = c.offsets[r]! - c.base;
        const n = c.offsets[r + 1]! - c.offsets[r]!;
        if (n !== width) this.fail(c, r, `has ${n} values, the model expects ${width}`);
      } else if (c.fixed !== undefined) {
        if (c.fixed !== width) this.fail(c, r, `has ${c.fixed} values, the model expects ${width}`);
        start = r * width;
      }
      const out = dst[i]!;
      const at = slot * width;
      const int = c.spec.dtype === 'int32';
      for (let k = 0; k < width; k++) {
        const v = c.bigint ? Number(c.values[start + k] as bigint) : (c.values[start + k] as number);
        if (int && (v > 2147483647 || v < -2147483648 || !Number.isInteger(v)))
          this.fail(c, r, `value ${v} is not an int32 id`);
        out[at + k] = v;
      }
    }
  }

  private fail(c: Prepared, r: number, what: string): never {
    throw new DataError(`${c.spec.role} '${c.spec.name}' ${what}`, this.file, `row ${this.rowBase + r}`);
  }
}

/** Typed arrays for `rows` rows of each column. */
export function allocate(specs: ColumnSpec[], rows: number): (Float32Array | Int32Array)[] {
  return specs.map((s) => (s.dtype === 'int32' ? new Int32Array(rows * s.width) : new Float32Array(rows * s.width)));
}

/** Copy slot `from` of `src` to slot `to` of `dst`, every column. */
export function copySlot(
  specs: ColumnSpec[],
  src: (Float32Array | Int32Array)[],
  from: number,
  dst: (Float32Array | Int32Array)[],
  to: number,
): void {
  for (let i = 0; i < specs.length; i++) {
    const w = specs[i]!.width;
    dst[i]!.set(src[i]!.subarray(from * w, from * w + w), to * w);
  }
}
