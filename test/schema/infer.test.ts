/**
 * Schema inference rules, one per test, on hand-made statistics. The expected schemas are
 * what TFDV 1.16's infer_schema / update_schema return for the same statistics (checked
 * once by hand against the TFDV venv; test/schema/tfdv-schema.test.ts checks whole
 * datasets against TFDV automatically).
 */
import { describe, expect, it } from 'vitest';
import { getFeature, inferFromSplits, inferSchema, updateSchema, type Schema } from '../../src/schema/index.js';
import { dataset, feat, statsOfRows } from './helpers.js';

const req = { present: 10, missing: 0, minValues: 1, maxValues: 1 };
const f = (s: Schema, name: string) => getFeature(s, name)!;

describe('inferSchema (tfdv.infer_schema)', () => {
  it('types: INT, FLOAT, STRING -> BYTES, BYTES; features in name order, as TFDV lists them', () => {
    const s = inferSchema(dataset([feat('i', 'INT', req), feat('x', 'FLOAT', req), feat('s', 'STRING', req, { values: [['a', 10]] }), feat('b', 'BYTES', req)]));
    expect(s.feature.map((x) => [x.name, x.type])).toEqual([['b', 'BYTES'], ['i', 'INT'], ['s', 'BYTES'], ['x', 'FLOAT']]);
    expect(f(s, 'b').domain).toBeUndefined();
  });

  it('presence: min_fraction 1 + min_count 1 when never missing, min_count 1 otherwise, min_count 0 when never present', () => {
    const s = inferSchema(
      dataset([
        feat('all', 'FLOAT', req),
        feat('some', 'FLOAT', { present: 8, missing: 2, minValues: 1, maxValues: 1 }),
        feat('none', 'STRING', { present: 0, missing: 10, minValues: 0, maxValues: 0 }),
      ]),
    );
    expect(f(s, 'all').presence).toEqual({ minFraction: 1, minCount: 1 });
    expect(f(s, 'some').presence).toEqual({ minCount: 1 });
    expect(f(s, 'some').valueCount).toEqual({ min: 1, max: 1 });
    expect(f(s, 'none')).toEqual({ name: 'none', type: 'BYTES', presence: { minCount: 0 } });
  });

  it('shape for required fixed-length features; value_count otherwise or without inferFeatureShape', () => {
    const d = dataset([
      feat('one', 'INT', req, { min: 2 }),
      feat('three', 'FLOAT', { present: 10, missing: 0, minValues: 3, maxValues: 3 }),
      feat('var', 'INT', { present: 10, missing: 0, minValues: 2, maxValues: 5 }, { min: 2 }),
      feat('empty', 'INT', { present: 10, missing: 0, minValues: 0, maxValues: 3 }, { min: 2 }),
    ]);
    const s = inferSchema(d);
    expect(f(s, 'one').shape).toEqual({ dim: [{ size: 1 }] });
    expect(f(s, 'one').valueCount).toBeUndefined();
    expect(f(s, 'three').shape).toEqual({ dim: [{ size: 3 }] });
    expect(f(s, 'var').valueCount).toEqual({ min: 1 });
    expect(f(s, 'var').shape).toBeUndefined();
    expect(f(s, 'empty').valueCount).toBeUndefined();
    const noShape = inferSchema(d, { inferFeatureShape: false });
    expect(f(noShape, 'one').valueCount).toEqual({ min: 1, max: 1 });
    expect(f(noShape, 'three').valueCount).toEqual({ min: 3, max: 3 });
  });

  it('string domains: named after the feature, values in byte order, any size up to maxStringDomainSize', () => {
    const values: [string, number][] = [['zeta', 5], ['Alpha', 3], ['beta', 2], ['é', 1]];
    const s = inferSchema(dataset([feat('s', 'STRING', req, { values }), feat('t', 'STRING', req, { values: [['x', 5], ['y', 5]], unique: 150 })]));
    expect(f(s, 's').domain).toBe('s');
    expect(s.stringDomain).toEqual([
      { name: 's', value: ['Alpha', 'beta', 'zeta', 'é'] },
      { name: 't', value: ['x', 'y'] },
    ]);
    const small = inferSchema(dataset([feat('s', 'STRING', req, { values })]), { maxStringDomainSize: 3 });
    expect(f(small, 's').domain).toBeUndefined();
    expect(small.stringDomain).toBeUndefined();
  });

  it('no domain for invalid UTF-8; a second domain of the same name gets a suffix', () => {
    const s = inferSchema(dataset([feat('n', 'STRING', req, { values: [['a', 5]], invalidUtf8: 1 })]));
    expect(f(s, 'n').domain).toBeUndefined();
    const two: Schema = { feature: [], stringDomain: [{ name: 'c', value: ['z'] }] };
    updateSchema(two, dataset([feat('c', 'STRING', req, { values: [['q', 1]] })]));
    expect(f(two, 'c').domain).toBe('c2');
  });

  it('bool domains: INT in [0, 1]; strings from the true/false sets; other pairs are string domains', () => {
    const s = inferSchema(
      dataset([
        feat('flag', 'INT', req, { min: 0, max: 1 }),
        feat('notflag', 'INT', req, { min: 0, max: 2 }),
        feat('tf', 'STRING', req, { values: [['true', 6], ['false', 4]] }),
        feat('01', 'STRING', req, { values: [['1', 6], ['0', 4]] }),
        feat('yes', 'STRING', req, { values: [['yes', 6], ['no', 4]] }),
      ]),
    );
    expect(f(s, 'flag').boolDomain).toEqual({});
    expect(f(s, 'notflag').boolDomain).toBeUndefined();
    expect(f(s, 'notflag').intDomain).toBeUndefined();
    expect(f(s, 'tf').boolDomain).toEqual({ trueValue: 'true', falseValue: 'false' });
    expect(f(s, '01').boolDomain).toEqual({ trueValue: '1', falseValue: '0' });
    expect(f(s, 'yes').domain).toBe('yes');
  });

  it('strings that are all integers get an empty int_domain', () => {
    const s = inferSchema(dataset([feat('code', 'STRING', req, { values: [['12', 6], ['7', 3], ['-3', 1]] })]));
    expect(f(s, 'code').intDomain).toEqual({});
    expect(f(s, 'code').domain).toBeUndefined();
  });

  it('works on statistics computed from rows by src/stats', () => {
    const rows = [
      { species: 'Adelie', mass: 3750, bill: 39.1, tags: ['a', 'b'] },
      { species: 'Gentoo', mass: 5000, bill: null, tags: ['a'] },
      { species: 'Adelie', mass: 3800, bill: 40.3, tags: ['c', 'a', 'b'] },
    ];
    const s = inferSchema(statsOfRows({ species: 'bytes', mass: 'int', bill: 'float', tags: 'bytes' }, rows));
    expect(s).toEqual({
      feature: [
        { name: 'bill', type: 'FLOAT', presence: { minCount: 1 }, valueCount: { min: 1, max: 1 } },
        { name: 'mass', type: 'INT', presence: { minFraction: 1, minCount: 1 }, shape: { dim: [{ size: 1 }] } },
        { name: 'species', type: 'BYTES', presence: { minFraction: 1, minCount: 1 }, shape: { dim: [{ size: 1 }] }, domain: 'species' },
        { name: 'tags', type: 'BYTES', presence: { minFraction: 1, minCount: 1 }, valueCount: { min: 1 }, domain: 'tags' },
      ],
      stringDomain: [
        { name: 'species', value: ['Adelie', 'Gentoo'] },
        { name: 'tags', value: ['a', 'b', 'c'] },
      ],
    });
  });
});

describe('updateSchema / inferFromSplits (TFX SchemaGen over splits)', () => {
  const train = dataset([
    feat('shape1', 'INT', req),
    feat('shape3', 'FLOAT', { present: 10, missing: 0, minValues: 3, maxValues: 3 }),
    feat('vc', 'FLOAT', { present: 8, missing: 2, minValues: 1, maxValues: 1 }),
    feat('gone', 'INT', req),
    feat('s', 'STRING', req, { values: [['b', 5], ['a', 5]] }),
    feat('t', 'INT', req),
    feat('bi', 'INT', req, { min: 0, max: 1 }),
    feat('var', 'INT', { present: 10, missing: 0, minValues: 2, maxValues: 4 }),
  ]);
  const evalSplit = dataset([
    feat('shape1', 'INT', { present: 7, missing: 3, minValues: 1, maxValues: 1 }),
    feat('shape3', 'FLOAT', { present: 10, missing: 0, minValues: 2, maxValues: 4 }),
    feat('vc', 'FLOAT', { present: 10, missing: 0, minValues: 1, maxValues: 2 }),
    feat('s', 'STRING', req, { values: [['d', 5], ['c', 3], ['a', 2]] }),
    feat('t', 'FLOAT', req),
    feat('new', 'STRING', req, { values: [['q', 1]] }),
    feat('bi', 'INT', req, { min: 0, max: 3 }),
    feat('var', 'INT', { present: 9, missing: 1, minValues: 0, maxValues: 5 }),
  ]);

  it('relaxes presence, value counts and shapes, extends domains, deprecates, adds new features', () => {
    const s = inferFromSplits([train, evalSplit]);
    expect(f(s, 'shape1')).toEqual({ name: 'shape1', type: 'INT', presence: { minFraction: 0.7, minCount: 1 } });
    expect(f(s, 'shape3')).toEqual({ name: 'shape3', type: 'FLOAT', presence: { minFraction: 1, minCount: 1 } });
    expect(f(s, 'vc').valueCount).toEqual({ min: 1, max: 2 });
    expect(f(s, 'gone').lifecycleStage).toBe('DEPRECATED');
    expect(f(s, 't').lifecycleStage).toBe('DEPRECATED');
    expect(s.stringDomain!.find((d) => d.name === 's')!.value).toEqual(['a', 'b', 'c', 'd']);
    expect(f(s, 'bi').boolDomain).toBeUndefined();
    expect(f(s, 'bi').intDomain).toEqual({ min: 0, max: 3 });
    expect(f(s, 'var')).toMatchObject({ presence: { minFraction: 0.9, minCount: 1 }, valueCount: {} });
    // new in a later split: value_count even with inferFeatureShape, as update_schema does
    expect(f(s, 'new')).toMatchObject({ presence: { minFraction: 1, minCount: 1 }, valueCount: { min: 1, max: 1 }, domain: 'new' });
    expect(s.feature.map((x) => x.name).at(-1)).toBe('new');
  });

  it('a few missing examples keep min_fraction visibly below 1', () => {
    // 2^53 present + 1 missing: the fraction rounds to exactly 1.0 in a double
    const big = (missing: number) => dataset([feat('x', 'INT', { present: 2 ** 53, missing, minValues: 1, maxValues: 1 })], 2 ** 53);
    const s = inferFromSplits([big(0), big(1)]);
    expect(f(s, 'x').presence!.minFraction).toBe(0.9999);
  });

  it('an optional feature that is never present later is not deprecated; a required one is', () => {
    const s = inferFromSplits([
      dataset([feat('opt', 'INT', { present: 5, missing: 5, minValues: 1, maxValues: 1 }), feat('never', 'INT', { present: 0, missing: 10, minValues: 0, maxValues: 0 })]),
      dataset([feat('opt', 'INT', { present: 0, missing: 10, minValues: 0, maxValues: 0 }), feat('never', 'INT', { present: 0, missing: 10, minValues: 0, maxValues: 0 })]),
    ]);
    // opt had min_count 1: TFDV counts that as required and deprecates it
    expect(f(s, 'opt').lifecycleStage).toBe('DEPRECATED');
    expect(f(s, 'never').lifecycleStage).toBeUndefined();
  });
});
