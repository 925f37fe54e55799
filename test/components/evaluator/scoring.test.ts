/** A baseline whose label vocabulary is ordered differently is compared class by class; one with other classes or another task is refused. */
import { describe, expect, it } from 'vitest';
import { classOrder, reorder } from '../../../components/evaluator/scoring.js';
import type { ModelSignature } from '../../../schemas/model-signature.js';

const sig = (task: ModelSignature['label']['task'], classes?: string[]) => ({ label: { name: 'y', task, ...(classes ? { classes } : {}) } }) as ModelSignature;

describe('baseline class order', () => {
  it('the same order needs nothing', () => {
    expect(classOrder(sig('multiclass', ['a', 'b', 'c']), sig('multiclass', ['a', 'b', 'c']))).toBeUndefined();
    expect(classOrder(sig('regression'), sig('regression'))).toBeUndefined();
  });
  it('a permuted vocabulary: the baseline scores are moved into the candidate order', () => {
    const order = classOrder(sig('multiclass', ['a', 'b', 'c']), sig('multiclass', ['c', 'a', 'b']));
    expect(order).toEqual([1, 2, 0]);
    // baseline rows score (c, a, b); the candidate reads (a, b, c)
    expect(reorder([0.7, 0.2, 0.1, 0.1, 0.3, 0.6], 3, order)).toEqual([0.2, 0.1, 0.7, 0.3, 0.6, 0.1]);
  });
  it('binary with swapped classes: P(candidate class 1) = 1 - P(baseline class 1)', () => {
    const order = classOrder(sig('binary', ['no', 'yes']), sig('binary', ['yes', 'no']));
    expect(reorder([0.9, 0.25], 1, order)).toEqual([1 - 0.9, 0.75]);
  });
  it('other classes or another task cannot be compared', () => {
    expect(() => classOrder(sig('multiclass', ['a', 'b', 'c']), sig('multiclass', ['a', 'b', 'd']))).toThrow(/baseline Model's classes \(a, b, d\) differ from the candidate's \(a, b, c\)/);
    expect(() => classOrder(sig('binary', ['a', 'b']), sig('multiclass', ['a', 'b', 'c']))).toThrow(/baseline Model is multiclass, the candidate binary/);
  });
});
