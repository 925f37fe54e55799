/**
 * The split hash's fast paths (straight from Arrow buffers) must write exactly the bytes the
 * generic per-value path writes, or rows would change split between versions. Every layout
 * ExampleGen builds, the awkward values (NaN, -0, unicode, invalid UTF-8, empty lists, nulls),
 * multi-chunk and sliced columns, and types that take the generic path.
 */
import { Float64, Int32, Table, Utf8, makeVector, vectorFromArray, Dictionary, Int8 } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { RowEncoder, rowHashes } from '../../../components/example-gen/row-hash.js';
import { ExampleBatchBuilder } from '../../../src/io/columns.js';

/** Rows with every kind, single and multi-valued, some absent, built as ExampleGen builds them. */
function built(rows: number, seed: number): Table {
  const b = new ExampleBatchBuilder();
  const enc = new TextEncoder();
  for (let i = 0; i < rows; i++) {
    const r = b.beginRow();
    const k = (i * 7 + seed) % 11;
    const id = b.column('id', 'int');
    if (k !== 3) {
      id.present(r);
      id.pushBigInt(BigInt(i) * (k % 2 ? -1n : 1n) * 9_007_199_254_740_993n);
    }
    const x = b.column('x', 'float');
    x.present(r);
    x.pushFloat([NaN, -0, Infinity, -Infinity, 1.5, i / 3][k % 6]!);
    const s = b.column('s', 'bytes');
    if (k % 4) {
      s.present(r);
      s.pushString(['', 'Adélie', '企鹅', `row-${i}`, '🐧'][k % 5]!);
    }
    const raw = b.column('raw', 'bytes');
    raw.present(r);
    // 0xff is never UTF-8: this column stays Binary
    raw.pushBytes(k === 0 ? new Uint8Array([0xff, 0x00, i & 0xff]) : enc.encode(`b${i}`));
    const tags = b.column('tags', 'int');
    tags.present(r);
    for (let j = 0; j < k % 4; j++) tags.pushInt(j * 1000 - 5);
    const vec = b.column('vec', 'float');
    if (k !== 5) {
      vec.present(r);
      for (let j = 0; j < (k % 3) + 1; j++) vec.pushFloat(j === 1 && k === 7 ? NaN : j + i / 7);
    }
    const words = b.column('words', 'bytes');
    words.present(r);
    for (let j = 0; j < k % 3; j++) words.pushString(['a', 'ü', ''][j]!);
  }
  return b.build().table;
}

/** The same hashes through Arrow's getters only: the slow reference the tests hold the fast paths to. */
function rowHashesGeneric(table: Table, names: string[]): Uint32Array {
  const cols = names.map((name) => table.getChild(name));
  const enc = new RowEncoder();
  const out = new Uint32Array(table.numRows);
  for (let r = 0; r < table.numRows; r++) {
    enc.reset();
    for (const col of cols) enc.feature(col ? col.get(r) : null);
    out[r] = enc.hash();
  }
  return out;
}

const ALL = ['id', 'x', 's', 'raw', 'tags', 'vec', 'words'];

describe('row hash fast paths', () => {
  it('equal the generic path on every layout ExampleGen builds, and the layouts are the fast ones', () => {
    const t = built(500, 1);
    const types = Object.fromEntries(t.schema.fields.map((f) => [f.name, String(f.type)]));
    expect(types).toMatchObject({ id: 'Int64', x: 'Float32', s: 'Utf8', raw: 'Binary', tags: 'List<Int64>', vec: 'List<Float32>', words: 'List<Utf8>' });
    expect([...rowHashes(t, ALL)]).toEqual([...rowHashesGeneric(t, ALL)]);
    // one feature at a time too, plus a name the table lacks
    for (const name of [...ALL, 'missing']) expect([...rowHashes(t, [name])]).toEqual([...rowHashesGeneric(t, [name])]);
    // and the hashes do depend on the values: not all equal
    expect(new Set(rowHashes(t, ALL)).size).toBeGreaterThan(450);
  });

  it('equal the generic path over many chunks and sliced columns', () => {
    const parts = [built(100, 2), built(37, 3), built(250, 4)];
    const chunked = parts[0]!.concat(parts[1]!, parts[2]!);
    expect(chunked.batches.length).toBe(3);
    expect([...rowHashes(chunked, ALL)]).toEqual([...rowHashesGeneric(chunked, ALL)]);
    const sliced = chunked.slice(50, 300);
    expect([...rowHashes(sliced, ALL)]).toEqual([...rowHashesGeneric(sliced, ALL)]);
    // slicing keeps each row's hash
    expect([...rowHashes(sliced, ALL)]).toEqual([...rowHashes(chunked, ALL)].slice(50, 300));
  });

  it('other Arrow types (from Arrow inputs) go the generic way and still hash', () => {
    const t = new Table({
      i32: vectorFromArray([1, null, -3, 4], new Int32()),
      f64: vectorFromArray([0.1, NaN, null, 1e300], new Float64()),
      d: makeVector(vectorFromArray(['a', 'b', 'a', null], new Dictionary(new Utf8(), new Int8())).data[0]!),
    });
    const names = ['i32', 'f64', 'd'];
    expect([...rowHashes(t, names)]).toEqual([...rowHashesGeneric(t, names)]);
    expect(new Set(rowHashes(t, names)).size).toBe(4);
  });
});
