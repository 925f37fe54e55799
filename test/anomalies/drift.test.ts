/**
 * Drift (previous span) and skew (serving) comparators on statistics from hand-made rows:
 * L-infinity distance of categorical value shares and Jensen-Shannon divergence of numeric
 * histograms and categorical values, against the thresholds the schema sets per feature.
 */
import { describe, expect, it } from 'vitest';
import { anomalyList, divergence, jensenShannon, lInfinity, sixDigits, validateStatistics } from '../../src/anomalies/index.js';
import { parseSchemaText } from '../../src/schema/index.js';
import { statsOfRows } from '../schema/helpers.js';

type Obj = Record<string, unknown>;
const kinds = { s: 'bytes', x: 'float' } as const;
/** one feature's statistics out of a dataset's */
const feat = (d: Obj, name: string) => (d.features as Obj[]).find((f) => (f.path as { step: string[] }).step[0] === name)!;
// s: 60% a / 40% b; x uniform over 0..99
const previous = statsOfRows(kinds, Array.from({ length: 100 }, (_, i) => ({ s: i < 60 ? 'a' : 'b', x: i })));
// s: 30% a / 50% b / 20% c; x uniform over 50..149
const current = statsOfRows(kinds, Array.from({ length: 100 }, (_, i) => ({ s: i < 30 ? 'a' : i < 80 ? 'b' : 'c', x: 50 + i })));

describe('drift and skew comparators', () => {
  it('L-infinity: the largest change in one value share, and that value', () => {
    const d = lInfinity(feat(current, 's'), feat(previous, 's'))!;
    expect(d.value).toBe('a');
    expect(d.distance).toBeCloseTo(0.3, 12);
    expect(lInfinity(feat(current, 's'), feat(current, 's'))!.distance).toBe(0);
  });

  it('Jensen-Shannon divergence: 0 for equal distributions, 1 for disjoint ones, in between otherwise', () => {
    expect(divergence([1, 0], [0, 1])).toBeCloseTo(1, 12);
    expect(divergence([2, 2], [1, 1])).toBe(0);
    expect(jensenShannon(feat(current, 'x'), feat(current, 'x'))).toBeCloseTo(0, 12);
    // half of each histogram's mass overlaps: JSD of (1/2, 1/2, 0) vs (0, 1/2, 1/2) = 0.5
    expect(jensenShannon(feat(current, 'x'), feat(previous, 'x'))).toBeCloseTo(0.5, 1);
    const cat = jensenShannon(feat(statsOfRows({ s: 'bytes' }, [{ s: 'a' }, { s: 'b' }]), 's'), feat(statsOfRows({ s: 'bytes' }, [{ s: 'a' }, { s: 'a' }]), 's'))!;
    // (1/2, 1/2) vs (1, 0)
    expect(cat).toBeCloseTo(0.5 * (0.5 * Math.log2(0.5 / 0.75) + Math.log2(1 / 0.75)) + 0.5 * 0.5 * Math.log2(0.5 / 0.25), 12);
  });

  it('drift_comparator thresholds give COMPARATOR_* anomalies with TFDV-like texts and DriftSkewInfo measurements', () => {
    const schema = parseSchemaText(`
      feature { name: "s" type: BYTES drift_comparator { infinity_norm { threshold: 0.1 } } }
      feature { name: "x" type: FLOAT drift_comparator { jensen_shannon_divergence { threshold: 0.1 } } }`);
    const a = validateStatistics(current, schema, { previous });
    expect(anomalyList(a)).toEqual(['s:COMPARATOR_L_INFTY_HIGH', 'x:COMPARATOR_JENSEN_SHANNON_DIVERGENCE_HIGH']);
    expect(a.anomalyInfo.s!.shortDescription).toBe('High Linfty distance between current and previous');
    expect(a.anomalyInfo.s!.description).toBe(
      'The Linfty distance between current and previous is 0.3 (up to six significant digits), above the threshold 0.1. The feature value with maximum difference is: a',
    );
    expect(a.anomalyInfo.x!.description).toMatch(/^The approximate Jensen-Shannon divergence between current and previous is 0\.\d+ \(up to six significant digits\), above the threshold 0\.1\.$/);
    expect(a.driftSkewInfo!.map((d) => [d.path.step[0], d.driftMeasurements![0]!.type])).toEqual([['s', 'L_INFTY'], ['x', 'JENSEN_SHANNON_DIVERGENCE']]);
    // without a control dataset, or under the threshold, nothing is reported
    expect(anomalyList(validateStatistics(current, schema))).toEqual([]);
    const loose = parseSchemaText(`feature { name: "s" type: BYTES drift_comparator { infinity_norm { threshold: 0.5 } } } feature { name: "x" type: FLOAT }`);
    const quiet = validateStatistics(current, loose, { previous });
    expect(anomalyList(quiet)).toEqual([]);
    expect(quiet.driftSkewInfo![0]!.driftMeasurements![0]).toMatchObject({ type: 'L_INFTY', threshold: 0.5 });
  });

  it('skew_comparator compares training with serving', () => {
    const schema = parseSchemaText(`feature { name: "s" type: BYTES skew_comparator { infinity_norm { threshold: 0.1 } } } feature { name: "x" type: FLOAT }`);
    const a = validateStatistics(current, schema, { serving: previous, previous });
    expect(anomalyList(a)).toEqual(['s:COMPARATOR_L_INFTY_HIGH']);
    expect(a.anomalyInfo.s!.shortDescription).toBe('High Linfty distance between training and serving');
    expect(a.driftSkewInfo![0]!.skewMeasurements).toHaveLength(1);
  });

  it('prints numbers like absl::SixDigits', () => {
    expect([0.3, 0.1234567, 1234567, 0.00001234, 2].map(sixDigits)).toEqual(['0.3', '0.123457', '1.23457e+06', '1.234e-05', '2']);
  });
});
