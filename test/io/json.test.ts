import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { dataError, readWith, scratchDir } from '../helpers/io.js';
import { isNdjson, readJsonExamples } from '../../src/io/json.js';

const { write } = scratchDir('tsfx-json-');
const penguinsFile = fileURLToPath(new URL('../../node_modules/vega-datasets/data/penguins.json', import.meta.url));

const read = (file: string, columnTypes?: Record<string, 'int' | 'float' | 'bytes'>) =>
  readWith((b) => readJsonExamples(file, b, { columnTypes }));

const listOf = (v: unknown) => (v === null ? null : [...(v as Iterable<unknown>)]);

describe('JSON reader', () => {
  it('reads vega-datasets penguins.json (an array of objects)', async () => {
    const expected = JSON.parse(fs.readFileSync(penguinsFile, 'utf8')) as Record<string, unknown>[];
    const { table, kinds, rows } = await read(penguinsFile);
    expect(table.numRows).toBe(expected.length);
    expect(kinds).toEqual({
      Species: 'bytes',
      Island: 'bytes',
      'Beak Length (mm)': 'float',
      'Beak Depth (mm)': 'float',
      'Flipper Length (mm)': 'int',
      'Body Mass (g)': 'int',
      Sex: 'bytes',
    });
    rows.forEach((row, i) => {
      const want = expected[i]!;
      expect(row.Species).toBe(want.Species);
      expect(row.Sex).toBe(want.Sex ?? null);
      expect(row['Body Mass (g)']).toBe(want['Body Mass (g)'] === null ? null : BigInt(want['Body Mass (g)'] as number));
      if (want['Beak Length (mm)'] === null) expect(row['Beak Length (mm)']).toBeNull();
      else expect(row['Beak Length (mm)']).toBeCloseTo(want['Beak Length (mm)'] as number, 4);
    });
  });

  it('reads NDJSON: arrays are multi-valued, booleans int, null and missing keys absent', async () => {
    const file = write(
      'rows.jsonl',
      ['{"id": 1, "tags": ["a", "b"], "ok": true, "w": 1}', '', '{"id": 2, "tags": [], "ok": false, "w": 2.5}', '{"id": 3, "tags": null}'].join('\n'),
    );
    const { kinds, rows, features } = await read(file);
    expect(kinds).toEqual({ id: 'int', tags: 'bytes', ok: 'int', w: 'float' });
    expect(features.find((f) => f.name === 'tags')!.valency).toBe('multi');
    expect(rows.map((r) => r.id)).toEqual([1n, 2n, 3n]);
    // present-empty ([]) and absent (null) stay distinct
    expect(rows.map((r) => listOf(r.tags))).toEqual([['a', 'b'], [], null]);
    expect(rows.map((r) => r.ok)).toEqual([1n, 0n, null]);
    expect(rows.map((r) => r.w)).toEqual([1, 2.5, null]);
  });

  it('detects NDJSON by content when the extension is .json', async () => {
    const file = write('rows.json', '{"a": 1}\n{"a": 2}\n');
    expect(await isNdjson(file)).toBe(true);
    expect((await read(file)).rows.map((r) => r.a)).toEqual([1n, 2n]);
    expect(await isNdjson(penguinsFile)).toBe(false);
  });

  it('names the file and line of bad JSON, in an array file and in NDJSON', async () => {
    const arr = write('bad.json', '[\n  {"a": 1},\n  {"a": 2,,}\n]\n');
    const e1 = await dataError(read(arr));
    expect(e1.message).toContain(arr);
    expect(e1.message).toContain('line 3');
    const nd = write('bad.ndjson', '{"a": 1}\n{"a": 2}\n{"a": \n');
    const e2 = await dataError(read(nd));
    expect(e2.message).toContain(nd);
    expect(e2.message).toContain('line 3');
  });

  it('rejects a nested object naming file, record and field', async () => {
    const arr = write('nested.json', JSON.stringify([{ a: 1 }, { a: 2, geo: { lat: 1 } }]));
    const e1 = await dataError(read(arr));
    expect(e1.message).toContain(arr);
    expect(e1.message).toContain('record 1');
    expect(e1.message).toContain("field 'geo'");
    const nd = write('nested.ndjson', '{"a": 1}\n{"a": [1, [2]]}\n');
    const e2 = await dataError(read(nd));
    expect(e2.message).toContain('line 2');
    expect(e2.message).toMatch(/field 'a' holds a nested array/);
  });

  it('rejects a document that is not an array of objects', async () => {
    expect((await dataError(read(write('scalar.json', '42')))).message).toMatch(/JSON array of objects/);
    expect((await dataError(read(write('mixed.json', '[{"a":1}, 3]')))).message).toMatch(/record 1: expected a JSON object/);
  });

  it('widens int to float and numbers to bytes within a column', async () => {
    const file = write('widen.json', JSON.stringify([{ x: 1, y: 1 }, { x: 1.5, y: 'one' }]));
    const { kinds, rows } = await read(file);
    expect(kinds).toEqual({ x: 'float', y: 'bytes' });
    expect(rows.map((r) => r.y)).toEqual(['1', 'one']);
  });

  it('uses given types and reports values that do not fit them', async () => {
    const file = write('given.json', JSON.stringify([{ zip: '00123', n: '7' }, { zip: '04567', n: 'x' }]));
    const err = await dataError(read(file, { zip: 'bytes', n: 'int' }));
    expect(err.message).toContain('record 1');
    expect(err.message).toContain("field 'n'");
    const ok = await read(write('given2.json', JSON.stringify([{ n: '7' }, { n: 8 }])), { n: 'int' });
    expect(ok.rows.map((r) => r.n)).toEqual([7n, 8n]);
  });
});
