/** Edge cases of the Evaluator's metrics library: one class, ties, zero weights, bad input, merging. */
import { describe, expect, it } from 'vitest';
import {
  BinaryAccumulator,
  binaryMetrics,
  multiclassMetrics,
  regressionMetrics,
} from '../../../components/evaluator/metrics/index.js';
import { DataError, DefinitionError } from '../../../src/errors.js';

describe('binary', () => {
  it('AUCs are NaN with a reason when only one class is present', () => {
    const neg = binaryMetrics([0, 0, 0], [0.1, 0.4, 0.9]);
    expect(neg.aucRoc).toBeNaN();
    expect(neg.reasons.aucRoc).toMatch(/no positive labels \(only one class\)/);
    expect(neg.aucPr).toBeNaN();
    expect(neg.reasons.aucPr).toMatch(/no positive labels/);
    expect(neg.calibration).toBeNaN();
    expect(neg.reasons.calibration).toMatch(/sum of labels is 0/);
    const pos = binaryMetrics([1, 1], [0.3, 0.8]);
    expect(pos.aucRoc).toBeNaN();
    expect(pos.reasons.aucRoc).toMatch(/no negative labels/);
    expect(pos.aucPr).toBe(1); // every threshold has precision 1
  });

  it('a class present only with weight 0 counts as absent', () => {
    const m = binaryMetrics([0, 1, 0], [0.2, 0.9, 0.4], { weights: [1, 0, 2] });
    expect(m.aucRoc).toBeNaN();
    expect(m.reasons.aucRoc).toMatch(/weight > 0 have no positive/);
    expect(m.exampleCount).toBe(3);
    expect(m.weightedExampleCount).toBe(3);
  });

  it('ties: a tied positive/negative pair counts half, by hand', () => {
    // pairs (pos, neg): (0.8 vs 0.5) right, (0.8 vs 0.8) tie, (0.5 vs 0.5) tie, (0.5 vs 0.8) wrong -> (1 + .5 + .5 + 0) / 4
    const m = binaryMetrics([1, 0, 1, 0], [0.8, 0.8, 0.5, 0.5]);
    expect(m.aucRoc).toBeCloseTo(0.5, 12);
    // AP: thresholds 0.8 (recall .5, precision .5), 0.5 (recall 1, precision .5)
    expect(m.aucPr).toBeCloseTo(0.5, 12);
    const perfect = binaryMetrics([0, 0, 1, 1], [0.1, 0.2, 0.7, 0.9]);
    expect(perfect.aucRoc).toBe(1);
    expect(perfect.aucPr).toBe(1);
  });

  it('weights act like repeated examples; zero weights change nothing', () => {
    const weighted = binaryMetrics([1, 0, 1, 0], [0.9, 0.6, 0.3, 0.2], { weights: [2, 1, 1, 0] });
    const repeated = binaryMetrics([1, 1, 0, 1], [0.9, 0.9, 0.6, 0.3]);
    for (const k of [
      'aucRoc',
      'aucPr',
      'accuracy',
      'precision',
      'recall',
      'logLoss',
      'calibration',
      'meanLabel',
      'meanPrediction',
    ] as const) {
      expect(weighted[k], k).toBeCloseTo(repeated[k], 12);
    }
    expect(weighted.weightedExampleCount).toBe(4);
  });

  it('threshold is strict (> t) and confusion matrices follow the given thresholds', () => {
    const m = binaryMetrics([1, 0, 1, 0], [0.5, 0.5, 0.7, 0.2], { thresholds: [0.5, 0.1] });
    expect(m.confusionMatrices.map(({ threshold, tp, fp, tn, fn }) => [threshold, tp, fp, tn, fn])).toEqual([
      [0.5, 1, 0, 2, 1],
      [0.1, 2, 2, 0, 0],
    ]);
    expect(m.precision).toBe(1);
    expect(m.recall).toBe(0.5);
    const none = binaryMetrics([1, 0], [0.1, 0.2]);
    expect(none.precision).toBeNaN();
    expect(none.reasons.precision).toMatch(/no example is predicted positive/);
  });

  it('log loss clips 0 and 1 like sklearn (finite, about -log(eps))', () => {
    const m = binaryMetrics([1], [0]);
    expect(m.logLoss).toBeCloseTo(-Math.log(2.220446049250313e-16), 9);
  });

  it('merging chunks equals one accumulator', () => {
    const labels = [1, 0, 1, 1, 0, 0, 1];
    const preds = [0.9, 0.1, 0.4, 0.4, 0.4, 0.7, 0.2];
    const weights = [1, 2, 0.5, 0, 3, 1, 1];
    const whole = binaryMetrics(labels, preds, { weights });
    const a = new BinaryAccumulator().addBatch(labels.slice(0, 3), preds.slice(0, 3), weights.slice(0, 3));
    const b = new BinaryAccumulator().addBatch(labels.slice(3), preds.slice(3), weights.slice(3));
    expect(a.merge(b).result()).toEqual(whole);
    expect(() => a.merge(new BinaryAccumulator({ threshold: 0.3 }))).toThrow(DefinitionError);
  });

  it('bad input names the example', () => {
    expect(() => binaryMetrics([0, 2], [0.1, 0.2])).toThrow(/example 1: binary label must be 0 or 1, got 2/);
    expect(() => binaryMetrics([0, 1], [0.1, 1.2])).toThrow(/example 1: .*probability in \[0, 1\], got 1.2/);
    expect(() => binaryMetrics([0, 1], [0.1, NaN])).toThrow(DataError);
    expect(() => binaryMetrics([0, 1], [0.1, 0.2], { weights: [1, -1] })).toThrow(
      /example 1: example weight must be a finite number >= 0/,
    );
    expect(() => binaryMetrics([0, 1], [0.1])).toThrow(/predictions has 1 entries but labels have 2/);
    expect(() => new BinaryAccumulator().add(1, 0.5, 1, 'eval row 17')).not.toThrow();
    expect(() => new BinaryAccumulator().add(3, 0.5, 1, 'eval row 17')).toThrow(/eval row 17: binary label/);
  });

  it('no examples / all weights 0: means are NaN with reasons', () => {
    const m = binaryMetrics([1, 0], [0.3, 0.4], { weights: [0, 0] });
    expect(m.meanLabel).toBeNaN();
    expect(m.reasons.meanLabel).toMatch(/every example has weight 0/);
    expect(binaryMetrics([], []).reasons.accuracy).toMatch(/no examples/);
  });
});

describe('multiclass', () => {
  const scores = [
    [0.7, 0.2, 0.1],
    [0.1, 0.6, 0.3],
    [0.3, 0.3, 0.4],
    [0.5, 0.5, 0.0], // tie: lowest index (0) is the prediction
  ];
  it('accuracy, top-k, per-class and averages by hand', () => {
    const m = multiclassMetrics([0, 2, 2, 1], scores, { numClasses: 3, topK: [1, 2, 3] });
    expect(m.confusionMatrix).toEqual([
      [1, 0, 0],
      [1, 0, 0],
      [0, 1, 1],
    ]);
    expect(m.accuracy).toBe(0.5);
    expect(m.topKAccuracy).toEqual({ 1: 0.5, 2: 1, 3: 1 }); // top-1 equals accuracy, ties included
    expect(m.precision).toEqual([0.5, 0, 1]);
    expect(m.recall).toEqual([1, 0, 0.5]);
    expect(m.microPrecision).toBe(0.5);
    expect(m.macroRecall).toBeCloseTo(0.5, 12);
  });
  it('an absent class is left out of macro averages, with a reason', () => {
    const m = multiclassMetrics(
      [0, 0, 1],
      [
        [0.9, 0.1, 0],
        [0.2, 0.8, 0],
        [0.1, 0.9, 0],
      ],
      { numClasses: 3 },
    );
    expect(m.precision[2]).toBeNaN();
    expect(m.recall[2]).toBeNaN();
    expect(m.reasons['recall[2]']).toMatch(/no example has it as label/);
    expect(m.macroRecall).toBeCloseTo((0.5 + 1) / 2, 12);
  });
  it('zero weights and bad input', () => {
    const m = multiclassMetrics(
      [0, 1],
      [
        [0.9, 0.1],
        [0.9, 0.1],
      ],
      { numClasses: 2, weights: [1, 0] },
    );
    expect(m.accuracy).toBe(1);
    expect(m.exampleCount).toBe(2);
    expect(() => multiclassMetrics([3], [[1, 0, 0]], { numClasses: 3 })).toThrow(
      /example 0: label must be a class id in 0..2, got 3/,
    );
    expect(() => multiclassMetrics([0], [[1, 0]], { numClasses: 3 })).toThrow(/2 scores, expected 3/);
    expect(() => multiclassMetrics([0], [[1, 0]], { numClasses: 2, topK: [0] })).toThrow(DefinitionError);
  });
});

describe('regression', () => {
  it('MSE, RMSE, MAE, R^2 by hand, weighted', () => {
    const m = regressionMetrics([1, 2, 3, 100], [1, 3, 5, -7], { weights: [1, 1, 2, 0] });
    expect(m.mse).toBeCloseTo((0 + 1 + 2 * 4) / 4, 12);
    expect(m.rmse).toBeCloseTo(1.5, 12);
    expect(m.mae).toBeCloseTo((0 + 1 + 2 * 2) / 4, 12);
    // weighted mean 2.25; spread 1.5625 + 0.0625 + 2 * 0.5625 = 2.75
    expect(m.r2).toBeCloseTo(1 - 9 / 2.75, 12);
    expect(m.meanLabel).toBeCloseTo(2.25, 12);
    expect(m.exampleCount).toBe(4);
  });
  it('constant labels: R^2 NaN with a reason', () => {
    const m = regressionMetrics([5, 5, 5], [4, 5, 6]);
    expect(m.r2).toBeNaN();
    expect(m.reasons.r2).toMatch(/same value/);
    expect(m.mse).toBeCloseTo(2 / 3, 12);
  });
  it('rejects non-finite labels naming the example', () => {
    expect(() => regressionMetrics([1, Infinity], [1, 2])).toThrow(/example 1: label must be a finite number/);
  });
});
