/** Examples tables as ExampleGen builds them (src/io/columns.ts) read into RawBatches and transformed. */
import { describe, expect, it } from 'vitest';
import { Float32, Table, tableFromArrays, vectorFromArray } from 'apache-arrow';
import { ExampleBatchBuilder } from '../../../src/io/columns.js';
import { rawBatchFromArrow } from '../../../src/ml/transform/arrow.js';
import { analyzeBatches, applyTransform, rawBatchFromRows, tracePreprocessing } from '../../../src/ml/transform/index.js';

type Cell = number | string | (number | string)[] | null;

function table(kinds: Record<string, 'int' | 'float' | 'bytes'>, rows: Record<string, Cell>[]) {
  const b = new ExampleBatchBuilder();
  for (const r of rows) {
    const row = b.beginRow();
    for (const [name, kind] of Object.entries(kinds)) {
      const col = b.column(name, kind);
      const v = r[name];
      if (v === null || v === undefined) continue;
      col.present(row);
      for (const x of Array.isArray(v) ? v : [v]) {
        if (kind === 'float') col.pushFloat(x as number);
        else if (kind === 'int') col.pushInt(x as number);
        else col.pushString(String(x));
      }
    }
  }
  return b.build().table;
}

describe('rawBatchFromArrow', () => {
  const kinds = { bill: 'float', year: 'int', island: 'bytes', tags: 'bytes' } as const;
  const rows: Record<string, Cell>[] = [
    { bill: 39.5, year: 2007, island: 'Biscoe', tags: ['a', 'b'] },
    { bill: null, year: 2008, island: null, tags: ['c'] },
    { bill: 41.25, year: 2009, island: 'Dream', tags: null },
  ];

  it('reads single-valued columns with their missing values, and lists as lists', () => {
    const batch = rawBatchFromArrow(table(kinds, rows));
    expect(batch.numRows).toBe(3);
    expect(batch.columns.bill).toMatchObject({ kind: 'number', valid: Uint8Array.from([1, 0, 1]) });
    expect(Array.from((batch.columns.bill as { values: Float64Array }).values).filter((_, i) => i !== 1)).toEqual([39.5, 41.25]);
    expect(Array.from((batch.columns.year as { values: Float64Array }).values)).toEqual([2007, 2008, 2009]);
    expect(batch.columns.island).toEqual({ kind: 'string', values: ['Biscoe', null, 'Dream'] });
    expect(batch.columns.tags).toEqual({ kind: 'list', values: [['a', 'b'], ['c'], null] });
  });

  it('transforms the same as the rows themselves', () => {
    const spec = tracePreprocessing((f) => ({ bill: f.zScore(f.fillMissing('bill', f.mean('bill'))), island: f.vocabulary(f.fillMissing('island', '?')), year: f.scale01('year') }));
    const fromArrow = rawBatchFromArrow(table(kinds, rows), ['bill', 'island', 'year']);
    const plain = rawBatchFromRows(rows.map(({ bill, island, year }) => ({ bill, island, year })));
    const graph = analyzeBatches(spec, () => [fromArrow]);
    expect(analyzeBatches(spec, () => [plain])).toEqual(graph);
    expect(applyTransform(graph, fromArrow)).toEqual(applyTransform(graph, plain));
    // a column the shard lacks is left out, so it reads as missing in every row
    expect(Object.keys(rawBatchFromArrow(table(kinds, rows), ['bill', 'nope']).columns)).toEqual(['bill']);
  });
});

it('reads a sliced table (Table.slice subarrays the value buffers but keeps the offset): the rows of the slice, nulls in place', () => {
  const t = tableFromArrays({ x: Float64Array.from([1, 2, 3, 4, 5]), n: Int32Array.from([10, 20, 30, 40, 50]) });
  const withNulls = new Table({ y: vectorFromArray([1.5, null, 3.5, null, 5.5], new Float32()) });
  const b = rawBatchFromArrow(t.slice(2, 4));
  expect(Array.from((b.columns.x as { values: Float64Array }).values)).toEqual([3, 4]);
  expect(Array.from((b.columns.n as { values: Float64Array }).values)).toEqual([30, 40]);
  const y = rawBatchFromArrow(withNulls.slice(1, 4)).columns.y as { values: Float64Array; valid: Uint8Array };
  expect(Array.from(y.valid)).toEqual([0, 1, 0]);
  expect(y.values[1]).toBe(3.5);
});
