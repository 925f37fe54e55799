/**
 * validateStatistics, one anomaly kind per test, on statistics computed by tsfx's engine from
 * small hand-made rows and schemas written in TFMD text format. Expected types and texts are
 * TFDV's (anomalies.md and its validator's messages).
 */
import { describe, expect, it } from 'vitest';
import { anomalyList, decodeAnomalies, encodeAnomalies, percentage, validateStatistics } from '../../src/anomalies/index.js';
import { inferSchema, parseSchemaText } from '../../src/schema/index.js';
import { statsOfRows } from '../schema/helpers.js';

const rows = (n: number, f: (i: number) => Record<string, number | string | (number | string)[] | null>) => Array.from({ length: n }, (_, i) => f(i));
const one = (s: ReturnType<typeof validateStatistics>, name: string) => s.anomalyInfo[name]!;

describe('validateStatistics (tfdv.validate_statistics)', () => {
  const kinds = { x: 'float', n: 'int', s: 'bytes' } as const;
  const clean = statsOfRows(kinds, rows(20, (i) => ({ x: i / 2, n: i, s: ['a', 'b', 'c'][i % 3]! })));

  it('statistics checked against the schema inferred from them: no anomalies', () => {
    const a = validateStatistics(clean, inferSchema(clean));
    expect(a.anomalyInfo).toEqual({});
    expect(a.datasetAnomalyInfo).toBeUndefined();
    expect(a.baseline!.feature.length).toBe(3);
  });

  it('SCHEMA_NEW_COLUMN and SCHEMA_MISSING_COLUMN (deprecated features are not missed)', () => {
    const schema = parseSchemaText(`
      feature { name: "x" type: FLOAT }
      feature { name: "n" type: INT }
      feature { name: "gone" type: INT presence { min_count: 1 } }
      feature { name: "old" type: INT lifecycle_stage: DEPRECATED }`);
    const a = validateStatistics(clean, schema);
    expect(anomalyList(a)).toEqual(['gone:SCHEMA_MISSING_COLUMN', 's:SCHEMA_NEW_COLUMN']);
    expect(one(a, 's')).toEqual({
      path: { step: ['s'] },
      severity: 'ERROR',
      shortDescription: 'New column',
      description: 'New column (column in data but not in schema)',
      reason: [{ type: 'SCHEMA_NEW_COLUMN', shortDescription: 'New column', description: 'New column (column in data but not in schema)' }],
    });
    expect(one(a, 'gone')).toMatchObject({ shortDescription: 'Column dropped', description: 'Column is completely missing' });
  });

  it('UNEXPECTED_DATA_TYPE names both types; STRING statistics match a BYTES feature', () => {
    const schema = parseSchemaText(`feature { name: "x" type: INT } feature { name: "n" type: INT } feature { name: "s" type: BYTES }`);
    const a = validateStatistics(clean, schema);
    expect(anomalyList(a)).toEqual(['x:UNEXPECTED_DATA_TYPE']);
    expect(one(a, 'x')).toMatchObject({ shortDescription: 'Unexpected data type', description: 'Expected data of type: INT but got FLOAT' });
  });

  it('ENUM_TYPE_UNEXPECTED_STRING_VALUES lists the values out of the domain with their share, in byte order', () => {
    const stats = statsOfRows({ s: 'bytes' }, rows(200, (i) => ({ s: i < 150 ? 'a' : i < 199 ? 'z' : 'B' })));
    const inline = parseSchemaText(`feature { name: "s" type: BYTES string_domain { value: "a" } }`);
    const named = parseSchemaText(`feature { name: "s" type: BYTES domain: "s" } string_domain { name: "s" value: "a" }`);
    for (const schema of [inline, named]) {
      const a = validateStatistics(stats, schema);
      expect(anomalyList(a)).toEqual(['s:ENUM_TYPE_UNEXPECTED_STRING_VALUES']);
      expect(one(a, 's')).toMatchObject({
        shortDescription: 'Unexpected string values',
        description: 'Examples contain values missing from the schema: B (<1%), z (~24%). ',
      });
    }
    expect([percentage(1, 0), percentage(1, 3), percentage(1, 200)]).toEqual(['?', '~33%', '<1%']);
    const quoted = statsOfRows({ s: 'bytes' }, [{ s: 'a' }, { s: 'say "hi"\n' }]);
    expect(one(validateStatistics(quoted, inline), 's').description).toBe('Examples contain values missing from the schema: say \\"hi\\"\\n (~50%). ');
  });

  it('FEATURE_TYPE_LOW_FRACTION_PRESENT and FEATURE_TYPE_LOW_NUMBER_PRESENT with the numbers, folded into "Multiple errors"', () => {
    const stats = statsOfRows({ x: 'float' }, rows(10, (i) => ({ x: i < 4 ? i : null })));
    const a = validateStatistics(stats, parseSchemaText(`feature { name: "x" type: FLOAT presence { min_fraction: 0.5 min_count: 5 } }`));
    expect(anomalyList(a)).toEqual(['x:FEATURE_TYPE_LOW_FRACTION_PRESENT', 'x:FEATURE_TYPE_LOW_NUMBER_PRESENT']);
    const info = one(a, 'x');
    expect(info.shortDescription).toBe('Multiple errors');
    expect(info.reason.map((r) => r.description)).toEqual([
      'The feature was present in fewer examples than expected: minimum count = 5, actual = 4',
      'The feature was present in fewer examples than expected: minimum fraction = 0.500000, actual = 0.400000',
    ]);
    expect(info.description).toBe(info.reason.map((r) => r.description).join(' '));
    expect(info.reason.every((r) => r.shortDescription === 'Column dropped')).toBe(true);
  });

  it('FEATURE_TYPE_LOW_NUMBER_VALUES / HIGH_NUMBER_VALUES for value_count, INVALID_FEATURE_SHAPE for shape', () => {
    const stats = statsOfRows({ v: 'int', w: 'int' }, rows(6, (i) => ({ v: Array.from({ length: i % 4 }, () => i), w: [1, 2] })));
    const a = validateStatistics(
      stats,
      parseSchemaText(`
        feature { name: "v" type: INT value_count { min: 1 max: 2 } }
        feature { name: "w" type: INT shape { dim { size: 3 } } }`),
    );
    expect(anomalyList(a)).toEqual(['v:FEATURE_TYPE_HIGH_NUMBER_VALUES', 'v:FEATURE_TYPE_LOW_NUMBER_VALUES', 'w:INVALID_FEATURE_SHAPE']);
    expect(one(a, 'v').reason.map((r) => [r.shortDescription, r.description])).toEqual([
      ['Missing values', 'Some examples have fewer values than expected.'],
      ['Superfluous values', 'Some examples have more values than expected.'],
    ]);
    expect(one(a, 'w').shortDescription).toBe('Feature shape dropped');
    const b = validateStatistics(stats, parseSchemaText(`feature { name: "v" type: INT shape { dim { size: 1 } } } feature { name: "w" type: INT shape { dim { size: 2 } } }`));
    expect(anomalyList(b)).toEqual(['v:INVALID_FEATURE_SHAPE']);
  });

  it('FLOAT_TYPE_HAS_NAN only when the float domain disallows NaN', () => {
    const stats = statsOfRows({ x: 'float' }, rows(10, (i) => ({ x: i === 3 ? Number.NaN : i })));
    const forbid = validateStatistics(stats, parseSchemaText(`feature { name: "x" type: FLOAT float_domain { disallow_nan: true } }`));
    expect(anomalyList(forbid)).toEqual(['x:FLOAT_TYPE_HAS_NAN']);
    expect(one(forbid, 'x')).toMatchObject({ shortDescription: 'Invalid values', description: 'Float feature has NaN values.' });
    expect(validateStatistics(stats, parseSchemaText(`feature { name: "x" type: FLOAT float_domain { } }`)).anomalyInfo).toEqual({});
    const clean = statsOfRows({ x: 'float' }, rows(10, (i) => ({ x: i })));
    expect(validateStatistics(clean, parseSchemaText(`feature { name: "x" type: FLOAT float_domain { disallow_nan: true } }`)).anomalyInfo).toEqual({});
  });

  it('DATASET_LOW_NUM_EXAMPLES / HIGH from dataset_constraints; an empty dataset is data_missing', () => {
    const schema = parseSchemaText(`feature { name: "x" type: FLOAT } dataset_constraints { min_examples_count: 50 }`);
    const stats = statsOfRows({ x: 'float' }, rows(20, (i) => ({ x: i })));
    const a = validateStatistics(stats, schema);
    expect(a.anomalyInfo).toEqual({});
    expect(a.datasetAnomalyInfo).toEqual({
      severity: 'ERROR',
      shortDescription: 'Low num examples in dataset.',
      description: 'The dataset has 20 examples, which is fewer than expected.',
      reason: [{ type: 'DATASET_LOW_NUM_EXAMPLES', shortDescription: 'Low num examples in dataset.', description: 'The dataset has 20 examples, which is fewer than expected.' }],
    });
    expect(anomalyList(a)).toEqual(['(dataset):DATASET_LOW_NUM_EXAMPLES']);
    const high = validateStatistics(stats, parseSchemaText(`feature { name: "x" type: FLOAT } dataset_constraints { max_examples_count: 10 }`));
    expect(anomalyList(high)).toEqual(['(dataset):DATASET_HIGH_NUM_EXAMPLES']);
    const empty = validateStatistics({ name: 'train', numExamples: 0, features: [] }, schema);
    expect(empty.dataMissing).toBe(true);
    expect(anomalyList(empty)).toEqual([]);
  });

  it('environments: a feature not in the SERVING environment is not missed there, and is new if present', () => {
    const schema = parseSchemaText(`
      default_environment: "TRAINING" default_environment: "SERVING"
      feature { name: "x" type: FLOAT }
      feature { name: "label" type: INT not_in_environment: "SERVING" presence { min_count: 1 } }`);
    const stats = statsOfRows({ x: 'float' }, rows(5, (i) => ({ x: i })));
    expect(anomalyList(validateStatistics(stats, schema))).toEqual(['label:SCHEMA_MISSING_COLUMN']);
    expect(anomalyList(validateStatistics(stats, schema, { environment: 'SERVING' }))).toEqual([]);
    const labelled = statsOfRows({ x: 'float', label: 'int' }, rows(5, (i) => ({ x: i, label: i % 2 })));
    expect(one(validateStatistics(labelled, schema, { environment: 'SERVING' }), 'label')).toMatchObject({
      shortDescription: 'Column missing in environment',
      description: 'New column label found in data but not in the environment SERVING in the schema.',
    });
    // an environment the schema does not declare is a mistake in the call, as in TFDV's API
    expect(() => validateStatistics(stats, schema, { environment: 'EVAL' })).toThrow(/environment 'EVAL'/);
  });

  it('a missing feature is an anomaly only when the schema requires its presence', () => {
    const schema = parseSchemaText(`
      feature { name: "x" type: FLOAT }
      feature { name: "optional" type: INT }
      feature { name: "needed" type: INT presence { min_fraction: 0.5 } }
      feature { name: "off" type: INT presence { min_count: 1 } lifecycle_stage: DISABLED }`);
    expect(anomalyList(validateStatistics(clean, schema))).toEqual(['n:SCHEMA_NEW_COLUMN', 'needed:SCHEMA_MISSING_COLUMN', 's:SCHEMA_NEW_COLUMN']);
  });

  it('round-trips through the TFMD binary form', () => {
    const schema = parseSchemaText(`feature { name: "x" type: INT } feature { name: "gone" type: INT } dataset_constraints { min_examples_count: 50 }`);
    const a = validateStatistics(clean, schema);
    const back = decodeAnomalies(encodeAnomalies(a));
    expect(back.anomalyInfo).toEqual(a.anomalyInfo);
    expect(back.datasetAnomalyInfo).toEqual(a.datasetAnomalyInfo);
    expect(back.baseline).toEqual(schema);
    expect(() => decodeAnomalies(Uint8Array.from([0x0a, 0xff]), 'bad.pb')).toThrow(/bad\.pb/);
  });
});
