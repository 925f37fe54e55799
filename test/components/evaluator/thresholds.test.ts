/**
 * Threshold checks as TFMA's metrics_validator.py codes them: value bounds, change thresholds
 * on diff and ratio by direction, a NaN ratio failing, a metric not computed failing by name,
 * a slice spec matching no slice failing, change thresholds skipped (and recorded) without a
 * baseline, and no blessing without thresholds unless blessWithoutThresholds.
 */
import { describe, expect, it } from 'vitest';
import { EvaluatorParams, type MetricThresholds } from '../../../components/evaluator/spec.js';
import { checkChange, checkValue, validate, type ValidateArgs } from '../../../components/evaluator/thresholds.js';
import type { SliceKey } from '../../../components/evaluator/slicing.js';

type Slices = NonNullable<ValidateArgs['baseline']>;
const slices = (entries: [string, SliceKey, Record<string, number>][]): Slices => new Map(entries.map(([n, key, metrics]) => [n, { key, metrics }]));
const overall = (metrics: Record<string, number>) => slices([['Overall', [], metrics]]);
const run = (a: Partial<ValidateArgs> & { candidate: Slices }) =>
  validate({ thresholds: {}, sliceThresholds: [], blessWithoutThresholds: false, ...a });
const th = (t: unknown) => EvaluatorParams.parse({ thresholds: t }).thresholds as MetricThresholds;

describe('value thresholds', () => {
  it('pass when lower <= m <= upper, bounds inclusive, a missing bound unbounded', () => {
    expect(checkValue({ lowerBound: 0.9 }, 0.9)).toBe(true);
    expect(checkValue({ lowerBound: 0.9 }, 0.8999)).toBe(false);
    expect(checkValue({ upperBound: 0.3 }, 0.3)).toBe(true);
    expect(checkValue({ upperBound: 0.3 }, 0.31)).toBe(false);
    expect(checkValue({ lowerBound: 0, upperBound: 1 }, 1e9)).toBe(false);
    expect(checkValue({ lowerBound: -1 }, 1e300)).toBe(true);
  });
  it('a NaN metric fails any value threshold', () => {
    expect(checkValue({ lowerBound: 0 }, NaN)).toBe(false);
    expect(checkValue({ upperBound: 1 }, NaN)).toBe(false);
  });
  it('a value threshold without bounds is refused by the params', () => {
    expect(() => th({ accuracy: { value: {} } })).toThrow(/lowerBound or upperBound/);
    expect(() => th({ accuracy: {} })).toThrow(/value or change/);
  });
});

describe('change thresholds', () => {
  it('higherIsBetter needs diff >= absolute and ratio >= relative', () => {
    const t = { direction: 'higherIsBetter' as const, absolute: -0.01, relative: -0.02 };
    expect(checkChange(t, 0.9, 0.905)).toMatchObject({ pass: true, diff: expect.closeTo(-0.005, 12) });
    expect(checkChange(t, 0.89, 0.905).pass).toBe(false); // diff -0.015 < -0.01
    expect(checkChange({ direction: 'higherIsBetter', relative: 0.1 }, 1.05, 1).pass).toBe(false); // ratio 0.05
    expect(checkChange({ direction: 'higherIsBetter', relative: 0.1 }, 1.1, 1).pass).toBe(true);
    expect(checkChange({ direction: 'higherIsBetter', absolute: 0 }, 0.9, 0.9).pass).toBe(true); // equal passes (>=)
  });
  it('lowerIsBetter needs diff <= absolute and ratio <= relative', () => {
    const t = { direction: 'lowerIsBetter' as const, absolute: 0.01 };
    expect(checkChange(t, 0.305, 0.3).pass).toBe(true);
    expect(checkChange(t, 0.32, 0.3).pass).toBe(false);
    expect(checkChange({ direction: 'lowerIsBetter', relative: -0.1 }, 0.25, 0.3)).toMatchObject({ pass: true, ratio: expect.closeTo(-1 / 6, 12) });
    expect(checkChange({ direction: 'lowerIsBetter', relative: -0.1 }, 0.29, 0.3).pass).toBe(false);
  });
  it('ratio is NaN when the baseline is 0, and a NaN ratio fails a relative threshold (not an absolute one)', () => {
    const rel = checkChange({ direction: 'higherIsBetter', relative: -1 }, 0.5, 0);
    expect(rel.ratio).toBeNaN();
    expect(rel.pass).toBe(false);
    expect(checkChange({ direction: 'lowerIsBetter', relative: 1e9 }, 0.5, 0).pass).toBe(false);
    expect(checkChange({ direction: 'higherIsBetter', absolute: 0.1 }, 0.5, 0).pass).toBe(true);
    // a NaN baseline metric makes diff and ratio NaN: both parts fail
    expect(checkChange({ direction: 'higherIsBetter', absolute: -1 }, 0.5, NaN).pass).toBe(false);
  });
  it('with neither absolute nor relative it passes (TFMA leaves both parts true)', () => {
    expect(checkChange({ direction: 'lowerIsBetter' }, 5, 1).pass).toBe(true);
  });
});

describe('validate', () => {
  it('blesses when every threshold passes and records each check with its values', () => {
    const v = run({ candidate: overall({ accuracy: 0.95, logLoss: 0.2 }), baseline: overall({ accuracy: 0.94, logLoss: 0.25 }), thresholds: th({ accuracy: { value: { lowerBound: 0.9 }, change: { direction: 'higherIsBetter', absolute: 0 } }, logLoss: { change: { direction: 'lowerIsBetter', relative: 0 } } }) });
    expect(v.blessed).toBe(true);
    expect(v.checks.map((c) => [c.metric, c.kind, c.verdict])).toEqual([['accuracy', 'value', 'pass'], ['accuracy', 'change', 'pass'], ['logLoss', 'change', 'pass']]);
    expect(v.checks[1]).toMatchObject({ value: 0.95, baseline: 0.94, diff: expect.closeTo(0.01, 12), ratio: expect.closeTo(0.01 / 0.94, 12) });
  });
  it('one failed threshold means not blessed, and the reason names it', () => {
    const v = run({ candidate: overall({ accuracy: 0.85 }), thresholds: th({ accuracy: { value: { lowerBound: 0.9 } } }) });
    expect(v.blessed).toBe(false);
    expect(v.reason).toMatch(/1 of 1 threshold\(s\) failed.*Overall accuracy/);
    expect(v.checks[0]!.reason).toMatch(/0.85 is outside \[0.9, inf\]/);
  });
  it('a threshold on a metric not computed fails naming the metric and what was computed', () => {
    const v = run({ candidate: overall({ accuracy: 0.95 }), thresholds: th({ accuracy: { value: { lowerBound: 0.5 } }, aucRoc: { value: { lowerBound: 0.5 } } }) });
    expect(v.blessed).toBe(false);
    const miss = v.checks.find((c) => c.metric === 'aucRoc')!;
    expect(miss.verdict).toBe('fail');
    expect(miss.reason).toMatch(/metric 'aucRoc' was not computed.*it has accuracy/);
  });
  it('a change threshold on a metric the baseline lacks fails', () => {
    const v = run({ candidate: overall({ accuracy: 0.95, mse: 1 }), baseline: overall({ accuracy: 0.9 }), thresholds: th({ mse: { change: { direction: 'lowerIsBetter' } } }) });
    expect(v.checks[0]).toMatchObject({ verdict: 'fail', reason: expect.stringMatching(/'mse' was not computed for the baseline/) });
  });
  it('without a baseline change thresholds are skipped and recorded; value thresholds still decide', () => {
    const t = th({ accuracy: { value: { lowerBound: 0.9 }, change: { direction: 'higherIsBetter', absolute: -0.01 } } });
    const v = run({ candidate: overall({ accuracy: 0.95 }), thresholds: t });
    expect(v.blessed).toBe(true);
    expect(v.checks.map((c) => c.verdict)).toEqual(['pass', 'skipped']);
    expect(v.checks[1]!.reason).toMatch(/no baseline model/);
    expect(v.reason).toMatch(/1 change threshold\(s\) skipped/);
  });
  it('only change thresholds and no baseline: nothing is checked, so not blessed (TFX drops them and does not validate)', () => {
    const v = run({ candidate: overall({ accuracy: 0.95 }), thresholds: th({ accuracy: { change: { direction: 'higherIsBetter' } } }) });
    expect(v.blessed).toBe(false);
    expect(v.checks[0]!.verdict).toBe('skipped');
    expect(v.reason).toMatch(/only thresholds are change thresholds.*blessWithoutThresholds/);
  });
  it('no thresholds: not blessed, and the reason says how to bless anyway; blessWithoutThresholds blesses', () => {
    const none = run({ candidate: overall({ accuracy: 0.2 }) });
    expect(none.blessed).toBe(false);
    expect(none.reason).toMatch(/no thresholds are configured; TFX does not bless.*blessWithoutThresholds: true/);
    const stamp = run({ candidate: overall({ accuracy: 0.2 }), blessWithoutThresholds: true });
    expect(stamp.blessed).toBe(true);
    expect(stamp.reason).toMatch(/blessed without thresholds/);
  });
  it('per-slice thresholds apply to every slice the spec matches, and only to those', () => {
    const cand = slices([
      ['Overall', [], { accuracy: 0.9 }],
      ['Island=Biscoe', [['Island', 'Biscoe']], { accuracy: 0.95 }],
      ['Island=Dream', [['Island', 'Dream']], { accuracy: 0.7 }],
      ['Island=Dream & Sex=MALE', [['Island', 'Dream'], ['Sex', 'MALE']], { accuracy: 0.1 }],
    ]);
    const t = th({ accuracy: { value: { lowerBound: 0.8 } } });
    const bySpec = run({ candidate: cand, sliceThresholds: [{ slice: { features: ['Island'], values: {} }, thresholds: t }] });
    expect(bySpec.checks.map((c) => [c.slice, c.verdict])).toEqual([['Island=Biscoe', 'pass'], ['Island=Dream', 'fail']]);
    const byValue = run({ candidate: cand, sliceThresholds: [{ slice: { features: [], values: { Island: 'Biscoe' } }, thresholds: t }] });
    expect(byValue.checks.map((c) => [c.slice, c.verdict])).toEqual([['Island=Biscoe', 'pass']]);
    expect(byValue.blessed).toBe(true);
  });
  it('a slice threshold whose spec matches no slice fails (TFMA missing_slices)', () => {
    const v = run({ candidate: overall({ accuracy: 0.9 }), sliceThresholds: [{ slice: { features: [], values: { Island: 'Atlantis' } }, thresholds: th({ accuracy: { value: { lowerBound: 0 } } }) }] });
    expect(v.blessed).toBe(false);
    expect(v.checks[0]).toMatchObject({ verdict: 'fail', slice: 'slice spec {Island=Atlantis}', reason: expect.stringMatching(/no slice matches/) });
  });
});
