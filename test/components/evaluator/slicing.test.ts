/** Slicing as TFMA does it: overall always, one slice per value, given values, crosses, multi-valued features, missing values. */
import { describe, expect, it } from 'vitest';
import { checkSliceFeatures, sliceMatches, sliceRows } from '../../../components/evaluator/slicing.js';
import { SliceSpec } from '../../../components/evaluator/spec.js';
import { numberColumn, stringColumn, type RawBatch } from '../../../src/ml/transform/index.js';
import { DefinitionError } from '../../../src/errors.js';

const batch: RawBatch = {
  numRows: 6,
  columns: {
    island: stringColumn(['Biscoe', 'Dream', 'Biscoe', null, 'Dream', 'Torgersen']),
    year: numberColumn([2007, 2008, 2008, 2007, null, 2007]),
    tags: { kind: 'list', values: [['a', 'b'], ['a'], [], null, ['b', 'b'], ['c']] },
  },
};
const spec = (s: unknown) => SliceSpec.parse(s);
const rowsOf = (specs: unknown[]) => Object.fromEntries([...sliceRows(batch, specs.map(spec))].map(([n, s]) => [n, s.rows]));

describe('slicing', () => {
  it('overall holds every row, and is there with no specs', () => {
    expect(rowsOf([])).toEqual({ Overall: [0, 1, 2, 3, 4, 5] });
  });
  it('by feature: one slice per value; a row missing the feature is in none', () => {
    expect(rowsOf([{ features: ['island'] }])).toEqual({ Overall: [0, 1, 2, 3, 4, 5], 'island=Biscoe': [0, 2], 'island=Dream': [1, 4], 'island=Torgersen': [5] });
  });
  it('numbers slice by their printed value, and a given value matches a number or its string', () => {
    expect(rowsOf([{ features: ['year'] }])).toMatchObject({ 'year=2007': [0, 3, 5], 'year=2008': [1, 2] });
    expect(rowsOf([{ values: { year: 2008 } }])).toEqual({ Overall: [0, 1, 2, 3, 4, 5], 'year=2008': [1, 2] });
    expect(rowsOf([{ values: { year: '2008' } }])['year=2008']).toEqual([1, 2]);
  });
  it('crosses: one slice per combination, a fixed value and a feature mixed', () => {
    const r = rowsOf([{ features: ['island', 'year'] }]);
    expect(r).toMatchObject({ 'island=Biscoe & year=2007': [0], 'island=Biscoe & year=2008': [2], 'island=Dream & year=2008': [1], 'island=Torgersen & year=2007': [5] });
    expect(Object.keys(r)).toHaveLength(5); // row 4 has no year, row 3 no island
    expect(rowsOf([{ features: ['year'], values: { island: 'Biscoe' } }])).toEqual({ Overall: [0, 1, 2, 3, 4, 5], 'island=Biscoe & year=2007': [0], 'island=Biscoe & year=2008': [2] });
  });
  it('two specs making the same slice count each row once', () => {
    expect(rowsOf([{ features: ['island'] }, { values: { island: 'Biscoe' } }, { features: ['island'] }])['island=Biscoe']).toEqual([0, 2]);
  });
  it('multi-valued features put a row in one slice per distinct value', () => {
    expect(rowsOf([{ features: ['tags'] }])).toEqual({ Overall: [0, 1, 2, 3, 4, 5], 'tags=a': [0, 1], 'tags=b': [0, 4], 'tags=c': [5] });
  });
  it('a threshold spec matches slices with exactly its features and its fixed values', () => {
    const key = [['island', 'Biscoe'], ['year', '2008']] as [string, string][];
    expect(sliceMatches(spec({ features: ['island', 'year'] }), key)).toBe(true);
    expect(sliceMatches(spec({ features: ['year'], values: { island: 'Biscoe' } }), key)).toBe(true);
    expect(sliceMatches(spec({ features: ['year'], values: { island: 'Dream' } }), key)).toBe(false);
    expect(sliceMatches(spec({ features: ['island'] }), key)).toBe(false);
    expect(sliceMatches(spec({}), [])).toBe(true);
    expect(sliceMatches(spec({}), key)).toBe(false);
  });
  it('an unknown slice feature is a DefinitionError naming it and the spec', () => {
    const check = () => checkSliceFeatures([spec({ features: ['island'] }), spec({ values: { Island: 'x' } })], ['island', 'year'], 'slicing');
    expect(check).toThrow(DefinitionError);
    expect(check).toThrow(/slicing\.1: slice feature 'Island' is not a column of the Examples \(they have island, year\)/);
  });
});
